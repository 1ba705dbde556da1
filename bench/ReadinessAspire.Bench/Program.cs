using System.Runtime.InteropServices;
using ReadinessAspire.Bench;

// Benchmarks the whole stack on this machine: the five scenarios of the benchmark issue, then what telemetry costs
// (f, g), each measured with wrk, then a table with ratios, saved under bench/results/.
// Usage: bench/run [--duration SECONDS] [--connections N] [--rounds N]
var duration = TimeSpan.FromSeconds(Option("--duration", 10));
var connections = Option("--connections", 64);
var rounds = Option("--rounds", 3);
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

var report = new BenchReport(duration, connections);
await using (var stack = await BenchStack.StartAsync(cacheReads: true, telemetryVariants, stop))
{
    using var ceiling = await StaticNginx.StartAsync(stack.CertificateDirectory);
    await report.MeasureAsync(new("a", "nginx serving a small static file (ceiling)", ceiling.Url), stack, stop);
    await report.MeasureAsync(new("b", "GET /api/checklists via proxy, HTTPS, cached", stack.ProxyUrl("/api/checklists")), stack, stop);
    await report.MeasureAsync(new("d", "fingerprinted asset via proxy, HTTPS", stack.ProxyUrl(await stack.FingerprintedAssetAsync()), ["Accept-Encoding: br"]), stack, stop);

    if (await stack.RecordsRequestMetricsAsync(NoOpenTelemetry) || !await stack.RecordsRequestMetricsAsync("webapi"))
    {
        throw new InvalidOperationException("OTEL_SDK_DISABLED did not decide whether metrics are recorded; the comparison would be meaningless.");
    }

    // Alternated round by round, so a slow moment of the machine does not land on one side only.
    await report.MeasureInterleavedAsync(
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
}

await using (var stack = await BenchStack.StartAsync(cacheReads: false, [], stop))
{
    // A cookie makes the proxy bypass its cache; the API has its own cache turned off: PostgreSQL every time.
    await report.MeasureAsync(new("c", "GET /api/checklists via proxy, HTTPS, no cache (PostgreSQL)", stack.ProxyUrl("/api/checklists"), ["Cookie: bench=uncached"]), stack, stop);
}

Console.WriteLine(report.Render());
var saved = report.Save(resultsDirectory);
Console.WriteLine($"Saved {string.Join(", ", saved)}");
return report.Errors > 0 ? 1 : 0;

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
