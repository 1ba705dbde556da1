using System.Globalization;
using System.Text;

namespace ReadinessAspire.Bench;

/// <summary>The scenarios measured so far, the memory seen under load, and their rendering as a table, CSV and markdown.</summary>
internal sealed record Scenario(string Id, string Name, string Url, string[]? RequestHeaders = null)
{
    public string[] Headers => RequestHeaders ?? [];
}

internal sealed class BenchReport(TimeSpan duration, int connections)
{
    // Long enough for tiered JIT to reach optimized code: with 2 s, Kestrel scenarios varied by 2x between runs.
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(6);
    private readonly List<(string Id, string Name, WrkResult Result)> _scenarios = [];
    private readonly Dictionary<string, List<WrkResult>> _rounds = [];
    private readonly Dictionary<string, double> _peakRssMiB = [];

    public long Errors => _scenarios.Sum(s => s.Result.Errors);

    public async Task MeasureAsync(Scenario scenario, BenchStack stack, CancellationToken cancellationToken)
    {
        Console.WriteLine($"[{scenario.Id}] {scenario.Name}: {scenario.Url}");
        await WrkResult.RunAsync(scenario.Url, s_warmUp, connections, scenario.Headers, cancellationToken);
        var result = await WrkResult.RunAsync(scenario.Url, duration, connections, scenario.Headers, cancellationToken);
        _scenarios.Add((scenario.Id, scenario.Name, result));
        RecordMemory(stack);
    }

    /// <summary>
    /// Scenarios to compare with each other: each warmed up, then measured once per round in turn; the round with the
    /// median throughput stands for each, and every round is in the report.
    /// </summary>
    public async Task MeasureInterleavedAsync(IReadOnlyList<Scenario> scenarios, int rounds, BenchStack stack, CancellationToken cancellationToken)
    {
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"[{scenario.Id}] {scenario.Name}: {scenario.Url}");
            await WrkResult.RunAsync(scenario.Url, s_warmUp, connections, scenario.Headers, cancellationToken);
            _rounds[scenario.Id] = [];
        }

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                var result = await WrkResult.RunAsync(scenario.Url, duration, connections, scenario.Headers, cancellationToken);
                Console.WriteLine($"  round {round} [{scenario.Id}] {result.RequestsPerSecond:0} req/s");
                _rounds[scenario.Id].Add(result);
                RecordMemory(stack);
            }
        }

        foreach (var scenario in scenarios)
        {
            var median = _rounds[scenario.Id].OrderBy(r => r.RequestsPerSecond).ElementAt(rounds / 2);
            _scenarios.Add((scenario.Id, scenario.Name, median));
        }
    }

    private void RecordMemory(BenchStack stack)
    {
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

        if (_rounds.Count > 0)
        {
            text.AppendLine().AppendLine("Alternated rounds, req/s (the median stands above):").AppendLine();
            text.AppendLine($"| scenario | {string.Join(" | ", _rounds.First().Value.Select((_, i) => $"round {i + 1}"))} |");
            text.AppendLine($"| --- |{string.Concat(_rounds.First().Value.Select(_ => " ---: |"))}");
            foreach (var (id, results) in _rounds.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {id} | {string.Join(" | ", results.Select(r => r.RequestsPerSecond.ToString("0", CultureInfo.InvariantCulture)))} |");
            }
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
        yield return ("e/f (all telemetry vs OpenTelemetry off)", Rps("e") / Rps("f"));
        yield return ("e/g (all telemetry vs OpenTelemetry and access log off)", Rps("e") / Rps("g"));
    }
}
