using System.Globalization;
using System.Runtime.InteropServices;
using Aspire.Hosting;
using ReadinessAspire.Bench;

// Benchmarks the whole stack on this machine: the AppHost's start-up (the built AppHost, to every resource healthy),
// then the scenarios of the benchmark issue, what telemetry costs (f, g) and what DCP's proxy costs in front of webapi
// (h, i), each measured with wrk, then a table with ratios, saved under bench/results/.
// Usage: bench/run [--duration SECONDS] [--warmup SECONDS] [--connections N] [--rounds N] [--cold-starts N]
//                  [--start-timeout SECONDS] [--scans N] [--writers N] [--writer-teams N] [--flood-connections N]
//                  [--flood-duration SECONDS] [--settle-rounds N]
//                  [--only a,b,...] [--Logging:...]
var duration = TimeSpan.FromSeconds(Option("--duration", 10));
// Long enough for tiered JIT to reach optimized code: with 2 s, Kestrel scenarios varied by 2x between runs.
var warmUp = TimeSpan.FromSeconds(Option("--warmup", 6));
var connections = Option("--connections", 64);
var rounds = Option("--rounds", 3);
// Unmeasured rounds before a stack's first alternated rounds (in a full run, the goals'): a stack's replicas keep
// compiling hot code at the JIT's top tier for its first minute or two of load (k rose from 309 to 612 PATCH/s over
// six rounds, flat with tiering off).
var settleRounds = Option("--settle-rounds", 3, minimum: 0);
// Scenarios by id; with --only, the start-up is measured only if asked for as "startup".
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
// --soak 10m (or 90s): the mixed read/write soak, alone unless --only names scenarios too.
var soak = !args.Contains("--soak") ? (TimeSpan?)null : ParseDuration(args.SkipWhile(a => a != "--soak").Skip(1).FirstOrDefault() ?? "");
if (soak is not null)
{
    only ??= [];
}

var coldStarts = Selected("startup") ? Option("--cold-starts", rounds, minimum: 0) : 0;
var scans = Option("--scans", 60);
// Scenario k's writers, each a connection of its own that owns a review item, all in one team. 8: at 64 the PATCHes a
// second were the same and their p99 several times longer, waiting for the same two cores (bench/README.md).
var writers = Option("--writers", 8);
// The teams they are spread over; each team's writes take turns on its audit chain.
var writerTeams = Option("--writer-teams", 1);
var floodConnections = Option("--flood-connections", 1000);
var floodDuration = TimeSpan.FromSeconds(Option("--flood-duration", 15));
// The scenarios measured on the stack with caches on; c, k and m run on a stack of their own.
string[] cachedStackScenarios = ["a", "b", "d", "j", "l", "e", "f", "g", "h", "i", "s"];
BenchStack.StartTimeout = TimeSpan.FromSeconds(Option("--start-timeout", 300));
// Anything for the AppHost's configuration, a key with a section (the bench's own options have none): e.g.
// --Logging:LogLevel:AppHost.Resources=Information to see the servers' output, or --Proxy:ApiRate=100r/s.
var appHostArguments = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal)).ToArray();
var resultsDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../results"));

// Ctrl+C or SIGTERM stops the load and then the stack, so no server outlives the benchmark.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; cancellation.Cancel(); });
var stop = cancellation.Token;

// The same build as webapi, one replica each, beside it in the same run: the SDK's own switch turns off traces,
// metrics and OTel log processing; the access log's category level chooses a line for every request (Information),
// for failed ones only (Warning, webapi's own setting) or none (Error).
const string NoOpenTelemetry = "webapi-no-otel";
const string NoTelemetry = "webapi-no-telemetry";
WebApiVariant[] variants =
[
    new(NoOpenTelemetry, new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true", ["Logging__LogLevel__ServiceDefaults.AccessLog"] = "Information" }),
    new(NoTelemetry, new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true", ["Logging__LogLevel__ServiceDefaults.AccessLog"] = "Error" }),
];

// --variant NAME:KEY=VALUE,KEY=VALUE (repeatable): one more webapi replica with that environment, measured on its own
// port alternated with webapi's (scenario v), to weigh a lever inside one run, e.g. --variant wks:DOTNET_gcServer=0.
var experiments = args.Zip(args.Skip(1)).Where(pair => pair.First == "--variant").Select(pair => WebApiVariant.Parse(pair.Second)).ToList();
// Scenario s: the capacity curve needs a third replica beside webapi's two, on each stack.
WebApiVariant[] scaleOut = Selected("s") ? [new(ScaleOut.ExtraReplica, new Dictionary<string, string>())] : [];
variants = [.. variants, .. experiments, .. scaleOut];

var report = new BenchReport(duration, warmUp, connections, settleRounds);
try
{
    if (coldStarts > 0)
    {
        // First, while nothing else of the bench runs: the AppHost as a developer starts it, dashboard included.
        Console.WriteLine($"[start-up] the built AppHost, {coldStarts} round(s) of a new and an existing data directory");
        report.AddStartups(await ColdStart.MeasureAsync(coldStarts, stop));
    }

    if (cachedStackScenarios.Any(Selected) || experiments.Count > 0)
    {
        await using (var stack = await BenchStack.StartAsync(cacheReads: true, variants, appHostArguments, stop))
        {
            report.AddStackStart("testing builder, cached stack with 2 variants (StartAsync to all healthy)", stack.StartDuration);
            // The product: a personal list, which the proxy never caches (it carries credentials) and WebApi serves from
            // its cache until a write.
            var product = await ProductWorkload.CreateAsync(stack, writers: 8, teams: 1, stop);

            // The goals' ratios, alternated with the ceiling round by round (issue 15: the median of at least 3 rounds).
            if (Selected("a") || Selected("b") || Selected("j"))
            {
                using var ceiling = await BenchNginx.StartStaticAsync(stack.CertificateDirectory, await stack.BodyLengthAsync("/api/checklists", stop), stop);
                Scenario[] goals =
                [
                    new("a", "nginx serving a small static file (ceiling)", ceiling.Url),
                    new("b", "GET /api/checklists via proxy, HTTPS, cached", stack.ProxyUrl("/api/checklists")),
                    new("j", "GET /api/services via proxy, HTTPS, bearer token (WebApi's cache)", product.Url("/api/services"), product.BearerHeader),
                ];
                await report.MeasureInterleavedAsync("Goals, cached stack", [.. goals.Where(g => g.Id == "a" || Selected(g.Id))], rounds, stack, stop);
            }

            if (Selected("d"))
            {
                await report.MeasureAsync(new("d", "fingerprinted asset via proxy, HTTPS", stack.ProxyUrl(await stack.FingerprintedAssetAsync(stop)), ["Accept-Encoding: br"]), stack, stop);
            }

            if (Selected("l"))
            {
                // The scanner: how many scans a minute the workers of every replica finish, queued through the API at once.
                Console.WriteLine($"[l] {scans} scans of the stack itself, queued at once");
                var scanThroughput = await ScanThroughput.MeasureAsync(stack, product, scans, stop);
                Console.WriteLine($"  {scanThroughput}");
                report.AddScanThroughput(scanThroughput);
            }

            if (Selected("e") || Selected("f") || Selected("g"))
            {
                if (await stack.RecordsRequestMetricsAsync(NoOpenTelemetry, stop) || !await stack.RecordsRequestMetricsAsync("webapi", stop))
                {
                    throw new InvalidOperationException("OTEL_SDK_DISABLED did not decide whether metrics are recorded; the comparison would be meaningless.");
                }

                await report.MeasureInterleavedAsync(
                    "Telemetry",
                    [
                        new("e", "GET /api/checklists on one Kestrel replica (all telemetry, access log of failed requests only, as shipped)", stack.ReplicaUrl("/api/checklists")),
                    new("f", "the same, OpenTelemetry off, an access line for every request", stack.ReplicaUrl("/api/checklists", NoOpenTelemetry)),
                    new("g", "the same, OpenTelemetry and the access log off", stack.ReplicaUrl("/api/checklists", NoTelemetry)),
                    ],
                    rounds,
                    stack,
                    stop);

                if (stack.WritesAccessLog(NoTelemetry) || !stack.WritesAccessLog(NoOpenTelemetry))
                {
                    throw new InvalidOperationException("The access log level did not decide whether access lines are written; the comparison would be meaningless.");
                }
            }

            if (experiments.Count > 0)
            {
                await report.MeasureInterleavedAsync(
                    "Variants",
                    [
                        new("v0", "GET /api/checklists on one webapi replica's own port, as configured", stack.ReplicaUrl("/api/checklists")),
                        .. experiments.Select((variant, i) => new Scenario($"v{i + 1}", $"the same on variant {variant.Name}: {string.Join(", ", variant.Environment.Select(e => $"{e.Key}={e.Value}"))}", stack.ReplicaUrl("/api/checklists", variant.Name))),
                    ],
                    rounds,
                    stack,
                    stop);
            }

            if (Selected("s"))
            {
                await ScaleOut.MeasureAsync(report, stack, "s", "cached GET (WebApi's cache)", rounds, stop);
            }

            if (Selected("h") || Selected("i"))
            {
                // What the AppHost's nginx does (each replica's own port) against what it would do through DCP's proxy port,
                // which spreads requests over the same replicas: two identical bare nginx, only the upstream differs.
                var ownPorts = stack.OwnPorts("webapi");
                var dcpPort = stack.DcpProxyPort("webapi");
                using var direct = await BenchNginx.StartProxyAsync(stack.CertificateDirectory, ownPorts, "/api/checklists", stop);
                using var throughDcp = await BenchNginx.StartProxyAsync(stack.CertificateDirectory, [dcpPort], "/api/checklists", stop);
                await report.MeasureInterleavedAsync(
                    "Upstream path",
                    [
                        new("h", $"nginx to webapi's {ownPorts.Count} replicas on their own ports (as the AppHost does), API-cached, no nginx cache", direct.Url),
                    new("i", "the same nginx to DCP's proxy port for webapi, which spreads over the same replicas", throughDcp.Url),
                    ],
                    rounds,
                    stack,
                    stop);
            }
        }

    }

    if (Selected("c") || Selected("k") || Selected("m") || Selected("s"))
    {
        await using var stack = await BenchStack.StartAsync(cacheReads: false, scaleOut, appHostArguments, stop);
        report.AddStackStart("testing builder, uncached stack (StartAsync to all healthy)", stack.StartDuration);
        // A cookie makes the proxy bypass its cache; the API has its own cache turned off: PostgreSQL every time.
        string[] uncached = ["Cookie: bench=uncached"];
        if (Selected("c") || Selected("k"))
        {
            // A write, the PATCH of a review item, on --writers connections that each own an item, alternated with the
            // uncached read it is compared with (the API's read cache plays no part in a write) and the ceiling beside
            // this stack.
            var product = await ProductWorkload.CreateAsync(stack, writers, writerTeams, stop);
            using var ceiling = await BenchNginx.StartStaticAsync(stack.CertificateDirectory, await stack.BodyLengthAsync("/api/checklists", stop), stop);
            Scenario[] goals =
            [
                new("a2", "nginx serving a small static file (ceiling), beside the uncached stack", ceiling.Url),
                new("c", "GET /api/checklists via proxy, HTTPS, no cache (PostgreSQL)", stack.ProxyUrl("/api/checklists"), uncached),
                new("k", $"PATCH /api/reviews/{{id}}/items/{{item}} via proxy, HTTPS, If-Match, {writers} connections{(writerTeams > 1 ? $" in {writerTeams} teams" : "")}", product.Url(product.ReviewPath), product.BearerHeader, product.WritePatchScript(stack.DataDirectory), Connections: writers),
            ];
            await report.MeasureInterleavedAsync("Goals, uncached stack", [.. goals.Where(g => Selected(g.Id) || (g.Id == "a2" && Selected("c")))], rounds, stack, stop);
        }

        if (Selected("s"))
        {
            await ScaleOut.MeasureAsync(report, stack, "u", "uncached GET (PostgreSQL)", rounds, stop);
        }

        if (Selected("m"))
        {
            // Overload: the same request from far more clients than the stack serves at once (the proxy's rate limit is
            // lifted; its concurrency caps and the replicas' limits are as configured), then how fast it recovers.
            var url = stack.ProxyUrl("/api/checklists");
            Console.WriteLine($"[m] overload: GET /api/checklists via proxy, no cache, {connections} then {floodConnections} connections: {url}");
            await stack.PrimeAsync(url, uncached, stop);
            var loads = await OverloadFlood.MeasureAsync(stack, url, uncached, connections, floodConnections, warmUp, duration, floodDuration, stop);
            report.AddOverload("GET /api/checklists via proxy, HTTPS, no cache (PostgreSQL)", loads);
            report.RecordMemory(stack);
        }
    }

    if (soak is { } soakDuration)
    {
        await using var stack = await BenchStack.StartAsync(cacheReads: true, [], appHostArguments, stop);
        report.AddStackStart("testing builder, soak stack (StartAsync to all healthy)", stack.StartDuration);
        var product = await ProductWorkload.CreateAsync(stack, writers: 8, teams: 1, stop);
        Console.WriteLine($"[soak] {soakDuration.TotalMinutes:0.#} min of reads and writes through the proxy");
        report.AddSoak(await Soak.RunAsync(stack, product, soakDuration, connections, stop));
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Interrupted: everything the bench started has been stopped; nothing was saved.");
    return 130;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or DistributedApplicationException or IOException or HttpRequestException)
{
    // Whatever failed, the stacks and servers were stopped on the way out (await using, dispose).
    Console.Error.WriteLine($"The benchmark failed; everything it started has been stopped; nothing was saved.{Environment.NewLine}{ex}");
    return 1;
}

Console.WriteLine(report.Render());
var saved = report.Save(resultsDirectory);
Console.WriteLine($"Saved {string.Join(", ", saved)}");
return report.Errors > 0 ? 1 : 0;

// A soak of no time would measure nothing and report "held": refused like a mistyped one.
static TimeSpan ParseDuration(string text) =>
    text.EndsWith('m') && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 ? TimeSpan.FromMinutes(minutes)
    : int.TryParse(text.TrimEnd('s'), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds)
    : Refuse<TimeSpan>($"--soak needs a duration such as 10m or 90s, not {(text.Length == 0 ? "nothing" : $"\"{text}\"")}");

bool Selected(string id) => only is null || only.Contains(id, StringComparer.Ordinal);

// Before anything starts, so a mistyped option stops the bench with one line instead of running it on a default.
int Option(string name, int fallback, int minimum = 1)
{
    var index = Array.IndexOf(args, name);
    if (index < 0)
    {
        return fallback;
    }

    var text = index + 1 < args.Length ? args[index + 1] : null;
    return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
        ? value
        : Refuse<int>($"{name} needs a whole number of {minimum} or more, not {(text is null ? "nothing" : $"\"{text}\"")}");
}

static T Refuse<T>(string message)
{
    Console.Error.WriteLine($"bench: {message}");
    Environment.Exit(2);
    return default!;
}
