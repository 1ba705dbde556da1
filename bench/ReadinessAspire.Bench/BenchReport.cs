using System.Globalization;
using System.Text;

namespace ReadinessAspire.Bench;

/// <summary>The scenarios measured so far, the memory seen under load, and their rendering as a table, CSV and markdown.</summary>
internal sealed class BenchReport(TimeSpan duration, int connections)
{
    // Long enough for tiered JIT to reach optimized code: with 2 s, Kestrel scenarios varied by 2x between runs.
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(6);
    private readonly List<(string Id, string Name, WrkResult Result)> _scenarios = [];
    private readonly Dictionary<string, double> _peakRssMiB = [];

    public long Errors => _scenarios.Sum(s => s.Result.Errors);

    public async Task MeasureAsync(string id, string name, string url, string[] headers, BenchStack stack)
    {
        Console.WriteLine($"[{id}] {name}: {url}");
        await WrkResult.RunAsync(url, s_warmUp, connections, headers);
        var result = await WrkResult.RunAsync(url, duration, connections, headers);
        _scenarios.Add((id, name, result));
        foreach (var (resource, rss) in stack.Memory())
        {
            _peakRssMiB[resource] = Math.Max(rss, _peakRssMiB.GetValueOrDefault(resource));
        }
    }

    public string Render()
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, wrk -t2 -c{connections} -d{duration.TotalSeconds}s, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC")
            .AppendLine()
            .AppendLine(Markdown())
            .AppendLine("Ratios:");
        foreach (var (name, value) in Ratios())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name} = {value:0.00}");
        }

        return text.ToString();
    }

    public IReadOnlyList<string> Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var csv = Path.Combine(directory, $"bench-{stamp}.csv");
        var markdown = Path.Combine(directory, $"bench-{stamp}.md");
        var rows = new StringBuilder().AppendLine("scenario,name,cores,connections,duration_s,requests_per_second,p50_ms,p99_ms,requests,errors");
        foreach (var (id, name, r) in _scenarios.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            rows.AppendLine(CultureInfo.InvariantCulture, $"{id},\"{name}\",{Environment.ProcessorCount},{connections},{duration.TotalSeconds},{r.RequestsPerSecond:0.0},{r.P50Milliseconds:0.000},{r.P99Milliseconds:0.000},{r.Requests},{r.Errors}");
        }

        File.WriteAllText(csv, rows.ToString());
        File.WriteAllText(markdown, $"# Benchmark {stamp}\n\n{Render()}");
        return [csv, markdown];
    }

    private string Markdown()
    {
        var text = new StringBuilder()
            .AppendLine("| scenario | req/s | p50 ms | p99 ms | errors |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (id, name, r) in _scenarios.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {id}. {name} | {r.RequestsPerSecond:0} | {r.P50Milliseconds:0.00} | {r.P99Milliseconds:0.00} | {r.Errors} |");
        }

        text.AppendLine().AppendLine("| process | peak RSS MiB under load |").AppendLine("| --- | ---: |");
        foreach (var (resource, rss) in _peakRssMiB.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {resource} | {rss:0.0} |");
        }

        return text.ToString();
    }

    private IEnumerable<(string Name, double Value)> Ratios()
    {
        double Rps(string id) => _scenarios.FirstOrDefault(s => s.Id == id).Result?.RequestsPerSecond ?? double.NaN;
        yield return ("b/a (cached API vs the nginx ceiling)", Rps("b") / Rps("a"));
        yield return ("d/a (static asset via proxy vs the ceiling)", Rps("d") / Rps("a"));
        yield return ("b/e (cached API via proxy vs Kestrel direct)", Rps("b") / Rps("e"));
        yield return ("e/f (Kestrel direct with telemetry vs without)", Rps("e") / Rps("f"));
    }
}
