using System.Globalization;
using System.Text;

namespace ReadinessAspire.Bench;

/// <summary>
/// The capacity curve: the same GET through a bare nginx of the bench to 1, 2 and 3 webapi replicas (each on its own
/// port, as the AppHost's proxy reaches them), alternated round by round; and the chart of it, an SVG the bench writes.
/// </summary>
internal static class ScaleOut
{
    /// <summary>The third replica, beside webapi's two: the same build and settings, started by the bench.</summary>
    public const string ExtraReplica = "webapi-scale";

    private static readonly int[] s_niceSteps = [1, 2, 5, 10];

    public static async Task MeasureAsync(BenchReport report, BenchStack stack, string idPrefix, string label, int rounds, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> ports = [.. stack.OwnPorts("webapi"), .. stack.OwnPorts(ExtraReplica)];
        var proxies = new List<BenchNginx>();
        try
        {
            for (var count = 1; count <= ports.Count; count++)
            {
                proxies.Add(await BenchNginx.StartProxyAsync(stack.CertificateDirectory, [.. ports.Take(count)], "/api/checklists", cancellationToken));
            }

            await report.MeasureInterleavedAsync(
                BenchReport.ScaleOutGroup + label,
                [.. proxies.Select((proxy, i) => new Scenario($"{idPrefix}{i + 1}", $"scale-out, {label}: nginx to {i + 1} webapi replica(s)", proxy.Url))],
                rounds,
                stack,
                cancellationToken);
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                proxy.Dispose();
            }
        }
    }

    /// <summary>Two charts side by side, req/s and p99 by replica count, a line per curve; null without any curve.</summary>
    public static string? Chart(IReadOnlyList<(string Label, IReadOnlyList<WrkResult> Points)> curves)
    {
        if (curves.Count == 0 || curves.All(c => c.Points.Count == 0))
        {
            return null;
        }

        string[] colours = ["#1f77b4", "#d62728", "#2ca02c"];
        var svg = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="900" height="360" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="900" height="360" fill="white"/>""");
        Panel(svg, curves, 0, "req/s", r => r.RequestsPerSecond, colours);
        Panel(svg, curves, 450, "p99 ms", r => r.P99Milliseconds, colours);
        for (var i = 0; i < curves.Count; i++)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{60 + (i * 260)}" y="338" width="14" height="4" fill="{colours[i % colours.Length]}"/><text x="{80 + (i * 260)}" y="344">{curves[i].Label}</text>""");
        }

        return svg.AppendLine("</svg>").ToString();
    }

    private static void Panel(StringBuilder svg, IReadOnlyList<(string Label, IReadOnlyList<WrkResult> Points)> curves, int left, string title, Func<WrkResult, double> value, string[] colours)
    {
        const int Width = 360, Height = 240, Top = 40;
        var x0 = left + 60;
        var replicas = curves.Max(c => c.Points.Count);
        var max = Nice(curves.SelectMany(c => c.Points).Select(value).DefaultIfEmpty(1).Max());
        double X(int index) => x0 + (replicas == 1 ? Width / 2.0 : index * Width / (double)(replicas - 1));
        double Y(double v) => Top + Height - (v / max * Height);
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{x0}" y="24" font-size="14">{title} by webapi replicas</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{x0}" y1="{Top + Height}" x2="{x0 + Width}" y2="{Top + Height}" stroke="black"/><line x1="{x0}" y1="{Top}" x2="{x0}" y2="{Top + Height}" stroke="black"/>""");
        for (var tick = 0; tick <= 4; tick++)
        {
            var v = max * tick / 4;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{x0 - 6}" y="{Y(v) + 4:0.0}" text-anchor="end">{v:0}</text><line x1="{x0}" y1="{Y(v):0.0}" x2="{x0 + Width}" y2="{Y(v):0.0}" stroke="#ddd"/>""");
        }

        for (var i = 0; i < replicas; i++)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{X(i):0.0}" y="{Top + Height + 16}" text-anchor="middle">{i + 1}</text>""");
        }

        for (var c = 0; c < curves.Count; c++)
        {
            var points = curves[c].Points;
            var colour = colours[c % colours.Length];
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{colour}" stroke-width="2" points="{string.Join(' ', points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.0},{Y(value(p)):0.0}")))}"/>""");
            for (var i = 0; i < points.Count; i++)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"""<circle cx="{X(i):0.0}" cy="{Y(value(points[i])):0.0}" r="3" fill="{colour}"/><text x="{X(i) + 5:0.0}" y="{Y(value(points[i])) - 6:0.0}" fill="{colour}">{value(points[i]):0}</text>""");
            }
        }
    }

    /// <summary>A round axis maximum above <paramref name="value"/>: 1, 2 or 5 times a power of ten.</summary>
    private static double Nice(double value)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(value, 1))));
        return s_niceSteps.Select(m => m * power).First(m => m >= value);
    }
}
