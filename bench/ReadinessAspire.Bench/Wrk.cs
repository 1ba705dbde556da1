using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ReadinessAspire.Bench;

/// <summary>One wrk run and what it printed: throughput, latency percentiles and failed responses.</summary>
/// <param name="ErrorKinds">What the errors were, as wrk tells them ("non-2xx 3, timeout 1"); empty when none.</param>
internal sealed partial record WrkResult(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, long Requests, long Errors, string ErrorKinds = "")
{
    /// <param name="script">A wrk Lua script; then each of the <paramref name="connections"/> has a wrk thread of its own, so the script's per-thread state is per connection.</param>
    public static async Task<WrkResult> RunAsync(string url, TimeSpan duration, int connections, IEnumerable<string> headers, CancellationToken cancellationToken, string? script = null)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        var threads = script is null ? 2 : connections;
        foreach (var argument in new[] { $"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "5s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(script);
        }

        foreach (var header in headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }

        start.ArgumentList.Add(url);
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start; install it: apt-get install -y wrk");
        string output;
        try
        {
            output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
            await wrk.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            wrk.Kill();
            throw;
        }

        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed on {url}: {await wrk.StandardError.ReadToEndAsync(CancellationToken.None)}");
        }

        return Parse(output);
    }

    /// <summary>The socket errors wrk counts, in the order it prints them.</summary>
    private static readonly string[] s_socketErrorKinds = ["connect", "read", "write", "timeout"];

    internal static WrkResult Parse(string output)
    {
        var requests = long.Parse(RequestsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonSuccessLine().Match(output) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var kinds = new List<(string Kind, long Count)> { ("non-2xx", non2xx) };
        if (SocketErrorsLine().Match(output) is { Success: true } s)
        {
            kinds.AddRange(s_socketErrorKinds.Select((kind, i) => (kind, long.Parse(s.Groups[i + 1].Value, CultureInfo.InvariantCulture))));
        }

        return new WrkResult(
            double.Parse(RequestsPerSecondLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(Percentile("50", output)),
            Milliseconds(Percentile("99", output)),
            requests,
            kinds.Sum(k => k.Count),
            string.Join(", ", kinds.Where(k => k.Count > 0).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Kind} {k.Count}"))));
    }

    private static string Percentile(string percent, string output) =>
        Regex.Match(output, $@"^\s+{percent}%\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;

    private static double Milliseconds(string value)
    {
        var unit = UnitSuffix().Match(value).Value;
        var number = double.Parse(value[..^unit.Length], CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => number / 1000,
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            _ => throw new FormatException($"wrk latency '{value}' has an unknown unit"),
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex("[a-z]+$")]
    private static partial Regex UnitSuffix();
}
