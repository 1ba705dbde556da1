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

/// <summary>A goal of the performance issue (15): what was measured, its ratio where it is one, the goal, and whether it is met (null: not measured).</summary>
internal sealed record GoalRow(string Scenario, string Value, string Ratio, string Goal, bool? Met)
{
    public string Verdict => Met switch { true => "met", false => "not met", null => "not measured" };
}

/// <summary>
/// Everything measured: wrk scenarios (single or alternated by rounds, the median round standing for each), the memory
/// seen under load, the AppHost's start-up; rendered as a table and saved as CSV and markdown.
/// </summary>
internal sealed class BenchReport(TimeSpan duration, TimeSpan warmUp, int connections, int settleRounds)
{
    private readonly List<(string Id, string Name, WrkResult Result)> _scenarios = [];
    private readonly List<(string Group, Dictionary<string, List<WrkResult>> Rounds, Dictionary<string, List<WrkResult>> Settle)> _roundGroups = [];
    /// <summary>The stacks whose first alternated rounds have run: their replicas' code has settled.</summary>
    private readonly HashSet<BenchStack> _settledStacks = [];
    private readonly Dictionary<string, MemoryUse> _peakMemory = new(StringComparer.Ordinal);
    private readonly List<StartupRun> _startups = [];
    private readonly List<(string Name, double Seconds)> _stackStarts = [];
    /// <summary>The reads whose load the memory goal is about.</summary>
    private static readonly string[] s_readScenarios = ["b", "c", "j"];

    /// <summary>Per scenario, the sample of one webapi replica with the highest RSS, and what that RSS was made of.</summary>
    private readonly Dictionary<string, ResidentMemory> _peakReplicaMemory = new(StringComparer.Ordinal);
    private ScanThroughputResult? _scanThroughput;
    private (string Name, IReadOnlyList<LoadResult> Loads)? _overload;

    private IReadOnlyList<SoakSample>? _soak;

    /// <summary>Failed requests, and a failed soak (its failures counted as one each).</summary>
    public long Errors => _scenarios.Sum(s => s.Result.Errors) + (_overload?.Loads.Sum(l => l.Errors) ?? 0) + (_soak is null ? 0 : Soak.Failures(_soak).Count);

    public void AddSoak(IReadOnlyList<SoakSample> samples) => _soak = samples;

    public async Task MeasureAsync(Scenario scenario, BenchStack stack, CancellationToken cancellationToken)
    {
        Console.WriteLine($"[{scenario.Id}] {scenario.Name}: {scenario.Url}");
        await stack.PrimeAsync(scenario.Url, scenario.Headers, cancellationToken);
        await RunWrkAsync(scenario, warmUp, cancellationToken);
        var result = await MeasureOnceAsync(scenario, stack, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.RequestsPerSecond:0} req/s, p99 {result.P99Milliseconds:0.00} ms"));
        _scenarios.Add((scenario.Id, scenario.Name, result));
    }

    /// <summary>
    /// Scenarios to compare with each other: each warmed up, then measured once per round in turn, so a slow moment of
    /// the machine does not land on one side only; the round with the median throughput stands for each, and every
    /// round is in the report. On a stack's first alternated scenarios settle rounds go first, the same but not counted:
    /// a stack's first minutes of load are its replicas compiling their hot code again at the JIT's top tier, on the
    /// cores the load shares (bench/README.md).
    /// </summary>
    public async Task MeasureInterleavedAsync(string group, IReadOnlyList<Scenario> scenarios, int rounds, BenchStack stack, CancellationToken cancellationToken)
    {
        var unmeasured = _settledStacks.Add(stack) ? settleRounds : 0;
        var results = new Dictionary<string, List<WrkResult>>(StringComparer.Ordinal);
        var settle = new Dictionary<string, List<WrkResult>>(StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"[{scenario.Id}] {scenario.Name}: {scenario.Url}");
            await stack.PrimeAsync(scenario.Url, scenario.Headers, cancellationToken);
            await RunWrkAsync(scenario, warmUp, cancellationToken);
            results[scenario.Id] = [];
            settle[scenario.Id] = [];
        }

        for (var round = 1 - unmeasured; round <= rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                var result = await MeasureOnceAsync(scenario, stack, cancellationToken);
                var label = round > 0 ? $"round {round}" : $"settle round {round + unmeasured}";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label} [{scenario.Id}] {result.RequestsPerSecond:0} req/s, p99 {result.P99Milliseconds:0.00} ms"));
                (round > 0 ? results : settle)[scenario.Id].Add(result);
            }
        }

        foreach (var scenario in scenarios)
        {
            _scenarios.Add((scenario.Id, scenario.Name, Median(results[scenario.Id], r => r.RequestsPerSecond)));
        }

        _roundGroups.Add((group, results, settle));
    }

    private Task<WrkResult> RunWrkAsync(Scenario scenario, TimeSpan length, CancellationToken cancellationToken) =>
        WrkResult.RunAsync(scenario.Url, length, scenario.Connections ?? connections, scenario.Headers, cancellationToken, scenario.Script);

    /// <summary>
    /// One measured wrk run; meanwhile, every second, the memory of every process and each webapi replica's RSS on its
    /// own, so that peaks are those under the load, not after it.
    /// </summary>
    private async Task<WrkResult> MeasureOnceAsync(Scenario scenario, BenchStack stack, CancellationToken cancellationToken)
    {
        var run = RunWrkAsync(scenario, duration, cancellationToken);
        do
        {
            RecordMemory(stack);
            if (stack.ReplicaMemory("webapi").MaxBy(memory => memory.RssMiB) is { } replica
                && replica.RssMiB > (_peakReplicaMemory.GetValueOrDefault(scenario.Id)?.RssMiB ?? 0))
            {
                _peakReplicaMemory[scenario.Id] = replica;
            }
        }
        while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)) != run);

        return await run;
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
            .AppendLine(GoalsMarkdown())
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

        var goals = new StringBuilder().AppendLine("scenario,value,ratio,goal,verdict");
        foreach (var goal in Goals())
        {
            goals.AppendLine(CultureInfo.InvariantCulture, $"\"{goal.Scenario}\",\"{goal.Value}\",\"{goal.Ratio}\",\"{goal.Goal}\",{goal.Verdict}");
        }

        Write("-goals.csv", goals.ToString());

        if (_roundGroups.Count > 0)
        {
            // settle: 1 for a settle round (not counted), 0 for a measured round; each kind numbered from 1.
            var rounds = new StringBuilder().AppendLine("group,scenario,round,requests_per_second,p50_ms,p99_ms,requests,errors,settle");
            foreach (var (group, results, settle) in _roundGroups)
            {
                foreach (var (kind, byScenario) in new[] { (1, settle), (0, results) })
                {
                    foreach (var (id, list) in byScenario)
                    {
                        for (var i = 0; i < list.Count; i++)
                        {
                            var r = list[i];
                            rounds.AppendLine(CultureInfo.InvariantCulture, $"\"{group}\",{id},{i + 1},{r.RequestsPerSecond:0.0},{r.P50Milliseconds:0.000},{r.P99Milliseconds:0.000},{r.Requests},{r.Errors},{kind}");
                        }
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

            var timeline = new StringBuilder().AppendLine("case,round,resource,state,seconds");
            foreach (var s in _startups)
            {
                foreach (var step in s.Timeline)
                {
                    timeline.AppendLine(CultureInfo.InvariantCulture, $"\"{s.Case}\",{s.Round},{step.Resource},\"{step.State}\",{step.Seconds:0.000}");
                }
            }

            Write("-startup-timeline.csv", timeline.ToString());
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

        var chart = ScaleOut.Chart(ScaleOutCurves());
        if (chart is not null)
        {
            Write("-scaleout.svg", chart);
        }

        Write(".md", $"# Benchmark {stamp}\n\n{Render()}{(chart is null ? "" : $"\n![Capacity curve: req/s and p99 by webapi replicas](bench-{stamp}-scaleout.svg)\n")}");
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

        foreach (var (group, results, settle) in _roundGroups)
        {
            var count = results.Values.First().Count;
            var settled = settle.Values.First().Count;
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{group}: alternated rounds, req/s / p99 ms (the median round by req/s stands above{(settled > 0 ? "; settle rounds first, not counted" : "")}):").AppendLine();
            text.AppendLine($"| scenario | {string.Join(" | ", Enumerable.Range(1, settled).Select(i => $"settle {i}").Concat(Enumerable.Range(1, count).Select(i => $"round {i}")))} |");
            text.AppendLine($"| --- |{string.Concat(Enumerable.Repeat(" ---: |", settled + count))}");
            foreach (var (id, list) in results)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {id} | {string.Join(" | ", settle[id].Concat(list).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.RequestsPerSecond:0} / {r.P99Milliseconds:0.00}")))} |");
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
                foreach (var group in _startups.GroupBy(s => s.Case))
                {
                    var median = Median(group.ToList(), r => r.SecondsToUp);
                    text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Where the start went, {group.Key}, round {median.Round} (the median): each resource's states as the AppHost announced them, seconds after it started:").AppendLine();
                    text.AppendLine("| resource | states |").AppendLine("| --- | --- |");
                    foreach (var resource in median.Timeline.GroupBy(step => step.Resource).OrderBy(steps => steps.Max(step => step.Seconds)))
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"| {resource.Key} | {string.Join(" → ", resource.Select(step => string.Create(CultureInfo.InvariantCulture, $"{step.State} {step.Seconds:0.0}")))} |");
                    }
                }
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

        if (_soak is { } soak)
        {
            text.AppendLine().Append(Soak.Markdown(soak));
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

    /// <summary>The rows of issue 15's goal table, in its order.</summary>
    internal IEnumerable<GoalRow> Goals()
    {
        static double Rps(WrkResult r) => r.RequestsPerSecond;
        static double P99(WrkResult r) => r.P99Milliseconds;
        yield return RatioGoal("a. cached `GET /api/checklists` through nginx HTTPS (b) / nginx serving a small static file (a)", "b", "a", Rps, "req/s", 0.85, atLeast: true);
        yield return RatioGoal("b. the same GET, cache bypassed, PostgreSQL every request (c) / the static ceiling beside that stack (a2)", "c", "a2", Rps, "req/s", 0.25, atLeast: true);
        yield return RatioGoal("c. p99 of the cached GET through nginx (b) / the static file's p99 (a)", "b", "a", P99, "ms", 1.1, atLeast: false);
        yield return RatioGoal("d. authenticated write, PATCH of a review item with If-Match, through nginx (k) / the uncached GET (c)", "k", "c", Rps, "req/s", 0.5, atLeast: true);
        yield return RatioGoal("e. a signed-in user's service list, bearer token, no proxy cache (j) / the static ceiling (a)", "j", "a", Rps, "req/s", 0.3, atLeast: true);
        foreach (var (@case, label) in new[] { (ColdStart.FreshCase, "new data directory"), (ColdStart.RestartCase, "existing data directory") })
        {
            var ups = _startups.Where(s => s.Case == @case).Select(s => s.SecondsToUp).ToList();
            var scenario = $"f. cold start: the built AppHost (as `dotnet run --project AppHost` runs it, dashboard included) to every resource healthy, {label}";
            yield return ups.Count == 0
                ? new GoalRow(scenario, "", "", "<= 6 s", null)
                : new GoalRow(scenario, string.Create(CultureInfo.InvariantCulture, $"{MedianValue(ups):0.0} s (median of {ups.Count}: {string.Join(", ", ups.Select(u => u.ToString("0.0", CultureInfo.InvariantCulture)))})"), "", "<= 6 s", MedianValue(ups) <= 6);
        }

        var readPeaks = s_readScenarios.Where(_peakReplicaMemory.ContainsKey).ToList();
        const string RssScenario = "g. peak RSS of one WebApi replica under the read load (b, c, j; sampled every second)";
        if (readPeaks.Count == 0)
        {
            yield return new GoalRow(RssScenario, "", "", "<= 120 MiB", null);
            yield break;
        }

        var peak = readPeaks.Select(id => _peakReplicaMemory[id]).MaxBy(memory => memory.RssMiB)!;
        var perScenario = string.Join(", ", readPeaks.Select(id => string.Create(CultureInfo.InvariantCulture, $"{id} {_peakReplicaMemory[id].RssMiB:0}")));
        yield return new GoalRow(
            RssScenario,
            string.Create(CultureInfo.InvariantCulture, $"{peak.RssMiB:0} MiB ({perScenario}; at the peak: anonymous {peak.AnonymousMiB:0}, mapped files {peak.FileMiB:0}, runtime code (W^X shared memory) {peak.SharedMiB:0}; PSS {peak.PssMiB:0})"),
            "",
            "<= 120 MiB",
            peak.RssMiB <= 120);
    }

    /// <summary>
    /// A ratio goal from alternated rounds that measured both scenarios: the ratio of each round (the two measured
    /// moments apart), the median of those standing.
    /// </summary>
    private GoalRow RatioGoal(string scenario, string numerator, string denominator, Func<WrkResult, double> metric, string unit, double goal, bool atLeast)
    {
        var target = string.Create(CultureInfo.InvariantCulture, $"{(atLeast ? ">=" : "<=")} {goal}");
        var rounds = _roundGroups.Select(g => g.Rounds).FirstOrDefault(r => r.ContainsKey(numerator) && r.ContainsKey(denominator));
        if (rounds is null)
        {
            return new GoalRow(scenario, "", "", target, null);
        }

        var pairs = rounds[numerator].Zip(rounds[denominator]).ToList();
        var ratios = pairs.Select(p => metric(p.First) / metric(p.Second)).ToList();
        var median = MedianValue(ratios);
        var format = unit == "ms" ? "0.00" : "0";
        var value = $"{MedianValue(pairs.Select(p => metric(p.First))).ToString(format, CultureInfo.InvariantCulture)} / {MedianValue(pairs.Select(p => metric(p.Second))).ToString(format, CultureInfo.InvariantCulture)} {unit}";
        var ratio = string.Create(CultureInfo.InvariantCulture, $"{median:0.000} (rounds: {string.Join(", ", ratios.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture)))})");
        return new GoalRow(scenario, value, ratio, target, atLeast ? median >= goal : median <= goal);
    }

    private string GoalsMarkdown()
    {
        var text = new StringBuilder()
            .AppendLine("Goals of issue 15 (ratios: the median of the per-round ratios of alternated rounds in this run; values: the medians of each side):")
            .AppendLine()
            .AppendLine("| scenario | value | ratio | goal | |")
            .AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var goal in Goals())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {goal.Scenario} | {goal.Value} | {goal.Ratio} | {goal.Goal} | {goal.Verdict} |");
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
        yield return ("e/g (as shipped: all telemetry, errors-only access log vs OpenTelemetry and access log off)", Rps("e") / Rps("g"));
        yield return ("f/g (an access line for every request vs none, OpenTelemetry off in both)", Rps("f") / Rps("g"));
        yield return ("h/i req/s (nginx to the replicas' own ports vs to DCP's proxy port)", Rps("h") / Rps("i"));
        yield return ("i/h p99 (DCP's proxy port vs the replicas' own ports)", P99("i") / P99("h"));
    }

    /// <summary>Each scale-out group's median rounds, by replica count.</summary>
    private List<(string Label, IReadOnlyList<WrkResult> Points)> ScaleOutCurves() =>
        [.. _roundGroups.Where(g => g.Group.StartsWith(ScaleOutGroup, StringComparison.Ordinal))
            .Select(g => (g.Group[ScaleOutGroup.Length..], (IReadOnlyList<WrkResult>)[.. g.Rounds.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => Median(r.Value, w => w.RequestsPerSecond))]))];

    public const string ScaleOutGroup = "Scale-out, ";

    private static T Median<T>(IReadOnlyList<T> values, Func<T, double> key) => values.OrderBy(key).ElementAt(values.Count / 2);

    private static double MedianValue(IEnumerable<double> values) => Median(values.ToList(), v => v);
}
