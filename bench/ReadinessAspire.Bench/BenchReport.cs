using System.Globalization;
using System.Text;

namespace ReadinessAspire.Bench;

/// <summary>
/// A URL measured with wrk; with <paramref name="Script"/>, a wrk Lua script makes the requests, on
/// <paramref name="Connections"/> connections (one per wrk thread) instead of the report's.
/// </summary>
internal sealed record Scenario(string Id, string Name, string Url, string[]? RequestHeaders = null, string? Script = null, int? Connections = null)
{
    public string[] Headers => RequestHeaders ?? [];
}

/// <summary>
/// Everything measured: wrk scenarios (single or alternated by rounds, the median round standing for each), the memory
/// seen under load, the AppHost's start-up; rendered as a table and saved as CSV and markdown.
/// </summary>
internal sealed class BenchReport(TimeSpan duration, TimeSpan warmUp, int connections)
{
    private readonly List<(string Id, string Name, WrkResult Result)> _scenarios = [];
    private readonly List<(string Group, Dictionary<string, List<WrkResult>> Rounds)> _roundGroups = [];
    private readonly Dictionary<string, MemoryUse> _peakMemory = new(StringComparer.Ordinal);
    private readonly List<StartupRun> _startups = [];
    private readonly List<(string Name, double Seconds)> _stackStarts = [];
    private ScanThroughputResult? _scanThroughput;
    private (string Name, IReadOnlyList<LoadResult> Loads)? _overload;

    public long Errors => _scenarios.Sum(s => s.Result.Errors) + (_overload?.Loads.Sum(l => l.Errors) ?? 0);

    public async Task MeasureAsync(Scenario scenario, BenchStack stack, CancellationToken cancellationToken)
    {
        Console.WriteLine($"[{scenario.Id}] {scenario.Name}: {scenario.Url}");
        await stack.PrimeAsync(scenario.Url, scenario.Headers, cancellationToken);
        await WrkResult.RunAsync(scenario.Url, warmUp, scenario.Connections ?? connections, scenario.Headers, cancellationToken, scenario.Script);
        var result = await WrkResult.RunAsync(scenario.Url, duration, scenario.Connections ?? connections, scenario.Headers, cancellationToken, scenario.Script);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.RequestsPerSecond:0} req/s, p99 {result.P99Milliseconds:0.00} ms"));
        _scenarios.Add((scenario.Id, scenario.Name, result));
        RecordMemory(stack);
    }

    /// <summary>
    /// Scenarios to compare with each other: each warmed up, then measured once per round in turn, so a slow moment of
    /// the machine does not land on one side only; the round with the median throughput stands for each, and every
    /// round is in the report.
    /// </summary>
    public async Task MeasureInterleavedAsync(string group, IReadOnlyList<Scenario> scenarios, int rounds, BenchStack stack, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, List<WrkResult>>(StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"[{scenario.Id}] {scenario.Name}: {scenario.Url}");
            await stack.PrimeAsync(scenario.Url, scenario.Headers, cancellationToken);
            await WrkResult.RunAsync(scenario.Url, warmUp, connections, scenario.Headers, cancellationToken);
            results[scenario.Id] = [];
        }

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                var result = await WrkResult.RunAsync(scenario.Url, duration, connections, scenario.Headers, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round} [{scenario.Id}] {result.RequestsPerSecond:0} req/s, p99 {result.P99Milliseconds:0.00} ms"));
                results[scenario.Id].Add(result);
                RecordMemory(stack);
            }
        }

        foreach (var scenario in scenarios)
        {
            _scenarios.Add((scenario.Id, scenario.Name, Median(results[scenario.Id], r => r.RequestsPerSecond)));
        }

        _roundGroups.Add((group, results));
    }

    public void AddStartups(IEnumerable<StartupRun> runs) => _startups.AddRange(runs);

    public void AddStackStart(string name, TimeSpan duration) => _stackStarts.Add((name, duration.TotalSeconds));

    public void AddScanThroughput(ScanThroughputResult result) => _scanThroughput = result;

    public void AddOverload(string name, IReadOnlyList<LoadResult> loads) => _overload = (name, loads);

    public void RecordMemory(BenchStack stack)
    {
        foreach (var use in stack.Memory())
        {
            _peakMemory[use.Name] = _peakMemory.TryGetValue(use.Name, out var peak)
                ? peak with { RssMiB = Math.Max(peak.RssMiB, use.RssMiB), PssMiB = Math.Max(peak.PssMiB, use.PssMiB) }
                : use;
        }
    }

    public string Render()
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, wrk -t2 -c{connections} -d{duration.TotalSeconds}s (warm-up {warmUp.TotalSeconds}s), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC")
            .AppendLine()
            .AppendLine(Markdown());
        // A run of some scenarios only (--only) has no value for the others' ratios.
        var ratios = Ratios().Where(r => !double.IsNaN(r.Value)).ToList();
        if (ratios.Count > 0)
        {
            text.AppendLine("Ratios:");
        }

        foreach (var (name, value) in ratios)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name} = {value:0.00}");
        }

        return text.ToString();
    }

    public IReadOnlyList<string> Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var files = new List<string>();
        void Write(string suffix, string contents)
        {
            var path = Path.Combine(directory, $"bench-{stamp}{suffix}");
            File.WriteAllText(path, contents);
            files.Add(path);
        }

        var rows = new StringBuilder().AppendLine("scenario,name,cores,connections,duration_s,requests_per_second,p50_ms,p99_ms,requests,errors");
        foreach (var (id, name, r) in _scenarios.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            rows.AppendLine(CultureInfo.InvariantCulture, $"{id},\"{name}\",{Environment.ProcessorCount},{connections},{duration.TotalSeconds},{r.RequestsPerSecond:0.0},{r.P50Milliseconds:0.000},{r.P99Milliseconds:0.000},{r.Requests},{r.Errors}");
        }

        Write(".csv", rows.ToString());

        if (_roundGroups.Count > 0)
        {
            var rounds = new StringBuilder().AppendLine("group,scenario,round,requests_per_second,p50_ms,p99_ms,requests,errors");
            foreach (var (group, results) in _roundGroups)
            {
                foreach (var (id, list) in results)
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        var r = list[i];
                        rounds.AppendLine(CultureInfo.InvariantCulture, $"\"{group}\",{id},{i + 1},{r.RequestsPerSecond:0.0},{r.P50Milliseconds:0.000},{r.P99Milliseconds:0.000},{r.Requests},{r.Errors}");
                    }
                }
            }

            Write("-rounds.csv", rounds.ToString());
        }

        if (_startups.Count > 0)
        {
            var startups = new StringBuilder().AppendLine("case,round,seconds_to_up,seconds_to_apphost_exit,seconds_to_all_stopped,peak_rss_apphost_mib,peak_rss_dcp_mib,peak_pss_dcp_mib,dcp_processes,peak_rss_dashboard_mib,peak_rss_all_mib,peak_pss_all_mib,processes");
            foreach (var s in _startups)
            {
                var p = s.Peaks;
                startups.AppendLine(CultureInfo.InvariantCulture, $"\"{s.Case}\",{s.Round},{s.SecondsToUp:0.000},{s.SecondsToAppHostExit:0.000},{s.SecondsToAllStopped:0.000},{p.AppHostRss:0.0},{p.DcpRss:0.0},{p.DcpPss:0.0},{p.DcpProcesses},{p.DashboardRss:0.0},{p.AllRss:0.0},{p.AllPss:0.0},{p.AllProcesses}");
            }

            Write("-startup.csv", startups.ToString());
        }

        if (_overload is { } overload)
        {
            var loads = new StringBuilder().AppendLine("load,connections,duration_s,successful_requests_per_second,p50_success_ms,p99_success_ms,succeeded,shed,shed_by_proxy,shed_by_replicas,rate_limited,p99_shed_ms,failed,probes,probes_answered,recovery_s");
            foreach (var r in overload.Loads)
            {
                loads.AppendLine(CultureInfo.InvariantCulture, $"\"{r.Name}\",{r.Connections},{r.Duration.TotalSeconds},{r.SuccessesPerSecond:0.0},{r.P50SuccessMilliseconds:0.000},{r.P99SuccessMilliseconds:0.000},{r.Succeeded},{r.Shed},{r.ShedByProxy},{r.ShedByReplicas},{r.RateLimited},{r.P99ShedMilliseconds:0.000},{r.Failed},{r.Probes},{r.ProbesAnswered},{r.RecoverySeconds?.ToString("0.000", CultureInfo.InvariantCulture)}");
            }

            Write("-overload.csv", loads.ToString());
        }

        Write(".md", $"# Benchmark {stamp}\n\n{Render()}");
        return files;
    }

    private string Markdown()
    {
        var text = new StringBuilder();
        if (_scenarios.Count > 0)
        {
            text.AppendLine("| scenario | req/s | p50 ms | p99 ms | errors |").AppendLine("| --- | ---: | ---: | ---: | ---: |");
        }

        foreach (var (id, name, r) in _scenarios.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {id}. {name} | {r.RequestsPerSecond:0} | {r.P50Milliseconds:0.00} | {r.P99Milliseconds:0.00} | {r.Errors} |");
        }

        foreach (var (group, results) in _roundGroups)
        {
            var count = results.Values.First().Count;
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{group}: alternated rounds, req/s / p99 ms (the median round by req/s stands above):").AppendLine();
            text.AppendLine($"| scenario | {string.Join(" | ", Enumerable.Range(1, count).Select(i => $"round {i}"))} |");
            text.AppendLine($"| --- |{string.Concat(Enumerable.Repeat(" ---: |", count))}");
            foreach (var (id, list) in results)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {id} | {string.Join(" | ", list.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.RequestsPerSecond:0} / {r.P99Milliseconds:0.00}")))} |");
            }
        }

        if (_startups.Count > 0 || _stackStarts.Count > 0)
        {
            text.AppendLine().AppendLine("Start-up, build excluded: until every resource runs healthy (median of the rounds; peak memory while starting, MiB):").AppendLine();
            text.AppendLine("| case | rounds | up s | stop s (AppHost exit / all stopped) | AppHost RSS | DCP RSS (PSS), processes | dashboard RSS | all RSS (PSS), processes |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var group in _startups.GroupBy(s => s.Case))
            {
                var runs = group.ToList();
                var median = Median(runs, r => r.SecondsToUp);
                double M(Func<StartupRun, double> value) => MedianValue(runs.Select(value));
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {group.Key} | {runs.Count} | {median.SecondsToUp:0.0} | {M(r => r.SecondsToAppHostExit):0.0} / {M(r => r.SecondsToAllStopped):0.0} | {M(r => r.Peaks.AppHostRss):0} | {M(r => r.Peaks.DcpRss):0} ({M(r => r.Peaks.DcpPss):0}), {runs.Max(r => r.Peaks.DcpProcesses)} | {M(r => r.Peaks.DashboardRss):0} | {M(r => r.Peaks.AllRss):0} ({M(r => r.Peaks.AllPss):0}), {runs.Max(r => r.Peaks.AllProcesses)} |");
            }

            foreach (var (name, seconds) in _stackStarts)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | 1 | {seconds:0.0} | | | | | |");
            }

            if (_startups.Count > 0)
            {
                text.AppendLine().AppendLine("Every start, up s: " + string.Join("; ", _startups.Select(s => string.Create(CultureInfo.InvariantCulture, $"round {s.Round} {(s.Case == ColdStart.FreshCase ? "new" : "existing")} {s.SecondsToUp:0.0}"))));
            }
        }

        if (_overload is { } overload)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Overload (m): {overload.Name}, from {overload.Loads[0].Connections} clients and then a flood; each an HTTP/1.1 connection of its own from one of 100 loopback addresses, sending its next request once answered, {OverloadFlood.ClientTimeout.TotalSeconds:0} s timeout:").AppendLine();
            text.AppendLine("| load | successful req/s | p50 ms (successes) | p99 ms (successes) | shed: proxy caps / replicas / rate limit | p99 ms (shed) | failed | readiness probes 200 | recovered in s |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in overload.Loads)
            {
                var probes = r.IsFlood ? $"{r.ProbesAnswered} of {r.Probes}" : "";
                var recovery = !r.IsFlood ? "" : r.RecoverySeconds is { } seconds ? seconds.ToString("0.00", CultureInfo.InvariantCulture) : "not within 60";
                text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.SuccessesPerSecond:0} | {r.P50SuccessMilliseconds:0.0} | {r.P99SuccessMilliseconds:0.0} | {r.Shed} ({r.ShedByProxy} / {r.ShedByReplicas} / {r.RateLimited}) | {r.P99ShedMilliseconds:0.0} | {r.Failed}{(r.FirstFailure is null ? "" : $" (first: {r.FirstFailure})")} | {probes} | {recovery} |");
            }

            text.AppendLine().AppendLine("Recovered: from the end of the flood until a new client's GET succeeded 10 times in a row.");
        }

        if (_scanThroughput is { } scanThroughput)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Scan workers (l): {scanThroughput}.");
        }

        if (_peakMemory.Count > 0)
        {
            text.AppendLine().AppendLine("| process | peak RSS MiB under load | peak PSS MiB |").AppendLine("| --- | ---: | ---: |");
        }

        foreach (var (name, use) in _peakMemory.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {use.RssMiB:0.0} | {use.PssMiB:0.0} |");
        }

        return text.ToString();
    }

    private IEnumerable<(string Name, double Value)> Ratios()
    {
        WrkResult? Result(string id) => _scenarios.FirstOrDefault(s => s.Id == id).Result;
        double Rps(string id) => Result(id)?.RequestsPerSecond ?? double.NaN;
        double P99(string id) => Result(id)?.P99Milliseconds ?? double.NaN;
        yield return ("b/a (cached API vs the nginx ceiling)", Rps("b") / Rps("a"));
        yield return ("d/a (static asset via proxy vs the ceiling)", Rps("d") / Rps("a"));
        yield return ("b/e (cached API via proxy vs Kestrel direct)", Rps("b") / Rps("e"));
        yield return ("e/f (all telemetry vs OpenTelemetry off)", Rps("e") / Rps("f"));
        yield return ("e/g (all telemetry vs OpenTelemetry and access log off)", Rps("e") / Rps("g"));
        yield return ("h/i req/s (nginx to the replicas' own ports vs to DCP's proxy port)", Rps("h") / Rps("i"));
        yield return ("i/h p99 (DCP's proxy port vs the replicas' own ports)", P99("i") / P99("h"));
    }

    private static T Median<T>(IReadOnlyList<T> values, Func<T, double> key) => values.OrderBy(key).ElementAt(values.Count / 2);

    private static double MedianValue(IEnumerable<double> values) => Median(values.ToList(), v => v);
}
