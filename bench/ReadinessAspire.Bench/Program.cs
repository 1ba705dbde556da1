using System.Runtime.InteropServices;
using Aspire.Hosting;
using ReadinessAspire.Bench;

// Benchmarks the whole stack on this machine: the AppHost's start-up (the built AppHost, to every resource healthy),
// then the scenarios of the benchmark issue, what telemetry costs (f, g) and what DCP's proxy costs in front of webapi
// (h, i), each measured with wrk, then a table with ratios, saved under bench/results/.
// Usage: bench/run [--duration SECONDS] [--warmup SECONDS] [--connections N] [--rounds N] [--cold-starts N]
//                  [--start-timeout SECONDS] [--scans N] [--flood-connections N] [--flood-duration SECONDS]
//                  [--only a,b,...] [--Logging:...]
var duration = TimeSpan.FromSeconds(Option("--duration", 10));
// Long enough for tiered JIT to reach optimized code: with 2 s, Kestrel scenarios varied by 2x between runs.
var warmUp = TimeSpan.FromSeconds(Option("--warmup", 6));
var connections = Option("--connections", 64);
var rounds = Option("--rounds", 3);
// Scenarios by id; with --only, the start-up is measured only if asked for as "startup".
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var coldStarts = Selected("startup") ? Option("--cold-starts", rounds) : 0;
var scans = Option("--scans", 60);
var floodConnections = Option("--flood-connections", 1000);
var floodDuration = TimeSpan.FromSeconds(Option("--flood-duration", 15));
// The scenarios measured on the stack with caches on; c and m run on a stack of their own.
string[] cachedStackScenarios = ["a", "b", "d", "j", "k", "l", "e", "f", "g", "h", "i"];
BenchStack.StartTimeout = TimeSpan.FromSeconds(Option("--start-timeout", 300));
// Anything for the AppHost's configuration, e.g. --Logging:LogLevel:AppHost.Resources=Information to see the servers' output.
var appHostArguments = args.Where(a => a.StartsWith("--Logging:", StringComparison.Ordinal)).ToArray();
var resultsDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../results"));

// Ctrl+C or SIGTERM stops the load and then the stack, so no server outlives the benchmark.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; cancellation.Cancel(); });
var stop = cancellation.Token;

// The same build as webapi, one replica each, beside it in the same run: the SDK's own switch turns off traces,
// metrics and OTel log processing; the access log's category level turns off the per-request log line.
const string NoOpenTelemetry = "webapi-no-otel";
const string NoTelemetry = "webapi-no-telemetry";
WebApiVariant[] telemetryVariants =
[
    new(NoOpenTelemetry, new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true" }),
    new(NoTelemetry, new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true", ["Logging__LogLevel__ServiceDefaults.AccessLog"] = "Warning" }),
];

var report = new BenchReport(duration, warmUp, connections);
try
{
    if (coldStarts > 0)
    {
        // First, while nothing else of the bench runs: the AppHost as a developer starts it, dashboard included.
        Console.WriteLine($"[start-up] the built AppHost, {coldStarts} round(s) of a new and an existing data directory");
        report.AddStartups(await ColdStart.MeasureAsync(coldStarts, stop));
    }

    if (cachedStackScenarios.Any(Selected))
    {
        await using (var stack = await BenchStack.StartAsync(cacheReads: true, telemetryVariants, appHostArguments, stop))
        {
            report.AddStackStart("testing builder, cached stack with 2 variants (StartAsync to all healthy)", stack.StartDuration);
            using (var ceiling = await BenchNginx.StartStaticAsync(stack.CertificateDirectory, stop))
            {
                await report.MeasureAsync(new("a", "nginx serving a small static file (ceiling)", ceiling.Url), stack, stop);
            }

            await report.MeasureAsync(new("b", "GET /api/checklists via proxy, HTTPS, cached", stack.ProxyUrl("/api/checklists")), stack, stop);
            await report.MeasureAsync(new("d", "fingerprinted asset via proxy, HTTPS", stack.ProxyUrl(await stack.FingerprintedAssetAsync(stop)), ["Accept-Encoding: br"]), stack, stop);

            // The product: a personal list, which the proxy never caches (it carries credentials) and WebApi serves from
            // its cache until a write; and a write, the PATCH of a review item, on 8 connections that each own an item.
            var product = await ProductWorkload.CreateAsync(stack, writers: 8, stop);
            await report.MeasureAsync(new("j", "GET /api/services via proxy, HTTPS, bearer token (WebApi's cache)", product.Url("/api/services"), product.BearerHeader), stack, stop);
            await report.MeasureAsync(new("k", "PATCH /api/reviews/{id}/items/{item} via proxy, HTTPS, If-Match, 8 connections", product.Url(product.ReviewPath), product.BearerHeader, product.WritePatchScript(stack.DataDirectory), Connections: 8), stack, stop);

            // The scanner: how many scans a minute the workers of every replica finish, queued through the API at once.
            Console.WriteLine($"[l] {scans} scans of the stack itself, queued at once");
            var scanThroughput = await ScanThroughput.MeasureAsync(stack, product, scans, stop);
            Console.WriteLine($"  {scanThroughput}");
            report.AddScanThroughput(scanThroughput);

            if (await stack.RecordsRequestMetricsAsync(NoOpenTelemetry, stop) || !await stack.RecordsRequestMetricsAsync("webapi", stop))
            {
                throw new InvalidOperationException("OTEL_SDK_DISABLED did not decide whether metrics are recorded; the comparison would be meaningless.");
            }

            await report.MeasureInterleavedAsync(
                "Telemetry",
                [
                    new("e", "GET /api/checklists on one Kestrel replica (all telemetry)", stack.ReplicaUrl("/api/checklists")),
                new("f", "the same, OpenTelemetry off (JSON logs stay)", stack.ReplicaUrl("/api/checklists", NoOpenTelemetry)),
                new("g", "the same, OpenTelemetry and the access log off", stack.ReplicaUrl("/api/checklists", NoTelemetry)),
                ],
                rounds,
                stack,
                stop);

            if (stack.WritesAccessLog(NoTelemetry) || !stack.WritesAccessLog("webapi"))
            {
                throw new InvalidOperationException("The access log level did not decide whether access lines are written; the comparison would be meaningless.");
            }

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

    if (Selected("c") || Selected("m"))
    {
        await using var stack = await BenchStack.StartAsync(cacheReads: false, [], appHostArguments, stop);
        report.AddStackStart("testing builder, uncached stack (StartAsync to all healthy)", stack.StartDuration);
        // A cookie makes the proxy bypass its cache; the API has its own cache turned off: PostgreSQL every time.
        string[] uncached = ["Cookie: bench=uncached"];
        if (Selected("c"))
        {
            await report.MeasureAsync(new("c", "GET /api/checklists via proxy, HTTPS, no cache (PostgreSQL)", stack.ProxyUrl("/api/checklists"), uncached), stack, stop);
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

bool Selected(string id) => only is null || only.Contains(id, StringComparer.Ordinal);

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
