using ReadinessAspire.Bench;

// Benchmarks the whole stack on this machine: the five scenarios of the benchmark issue and f (telemetry's cost),
// each measured with wrk, then a table with ratios, saved under bench/results/.
// Usage: bench/run [--duration SECONDS] [--connections N]
var duration = TimeSpan.FromSeconds(Option("--duration", 10));
var connections = Option("--connections", 64);
var resultsDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../results"));

var report = new BenchReport(duration, connections);
await using (var stack = await BenchStack.StartAsync(cacheReads: true))
{
    using var ceiling = await StaticNginx.StartAsync(stack.CertificateDirectory);
    await report.MeasureAsync("a", "nginx serving a small static file (ceiling)", ceiling.Url, [], stack);
    await report.MeasureAsync("b", "GET /api/checklists via proxy, HTTPS, cached", stack.ProxyUrl("/api/checklists"), [], stack);
    await report.MeasureAsync("d", "fingerprinted asset via proxy, HTTPS", stack.ProxyUrl(await stack.FingerprintedAssetAsync()), ["Accept-Encoding: br"], stack);
    await report.MeasureAsync("e", "GET /api/checklists on one Kestrel replica", stack.ReplicaUrl("/api/checklists"), [], stack);
}

await using (var stack = await BenchStack.StartAsync(cacheReads: false))
{
    // A cookie makes the proxy bypass its cache; the API has its own cache turned off: PostgreSQL every time.
    await report.MeasureAsync("c", "GET /api/checklists via proxy, HTTPS, no cache (PostgreSQL)", stack.ProxyUrl("/api/checklists"), ["Cookie: bench=uncached"], stack);
}

await using (var stack = await BenchStack.StartAsync(cacheReads: true, telemetry: false))
{
    // Scenario e again with the OpenTelemetry SDK off: e/f is what traces and metrics cost on the hot path.
    if (await stack.RecordsRequestMetricsAsync())
    {
        throw new InvalidOperationException("OTEL_SDK_DISABLED did not turn telemetry off; the comparison would be meaningless.");
    }

    await report.MeasureAsync("f", "GET /api/checklists on one Kestrel replica, OpenTelemetry off", stack.ReplicaUrl("/api/checklists"), [], stack);
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
