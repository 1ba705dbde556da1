using System.Text.RegularExpressions;
using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Testing;

namespace ReadinessAspire.Bench;

/// <summary>The real model on random ports, with the proxy's rate limit lifted so the load generator is not throttled.</summary>
internal sealed partial class BenchStack : IAsyncDisposable
{
    private readonly DistributedApplication _app;

    private BenchStack(DistributedApplication app) => _app = app;

    public string CertificateDirectory => Path.Combine(_app.Options.DataDirectory!, "certs");

    public static async Task<BenchStack> StartAsync(bool cacheReads, bool telemetry = true)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(["--Proxy:ApiRate=1000000r/s", "--Proxy:ApiBurst=1000000"]);
        builder.Builder.CreateResourceBuilder((ProjectResource)builder.Resources["webapi"])
            .WithEnvironment("Checklists__CacheReads", cacheReads ? "true" : "false")
            // The OpenTelemetry SDK's own switch: no traces, metrics or OTel log processing (JSON log lines stay).
            .WithEnvironment("OTEL_SDK_DISABLED", telemetry ? "false" : "true");
        var stack = new BenchStack(await builder.BuildAsync());
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await stack._app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "webapi", "static", "proxy" })
            {
                await stack._app.ResourceNotifications.WaitForResourceAsync(resource, s => s.State is ResourceState.Healthy or ResourceState.FailedToStart, timeout.Token);
            }

            var failed = stack._app.ResourceNotifications.Snapshot().Where(r => r.State == ResourceState.FailedToStart).Select(r => $"{r.Name}: {r.Message}").ToList();
            return failed.Count == 0 ? stack : throw new InvalidOperationException($"The stack did not start: {string.Join("; ", failed)}");
        }
        catch
        {
            // Never leave servers running behind a failed benchmark.
            await stack.DisposeAsync();
            throw;
        }
    }

    public string ProxyUrl(string path) => $"https://localhost:{_app.GetEndpoint("proxy", "https").Port}{path}";

    public string ReplicaUrl(string path) => new Uri(_app.GetEndpoint("webapi"), path).ToString();

    /// <summary>Whether the first replica's /metrics (management port) reports any HTTP request durations.</summary>
    public async Task<bool> RecordsRequestMetricsAsync()
    {
        using var api = _app.CreateHttpClient("webapi");
        (await api.GetAsync("/api/checklists")).Dispose();
        using var management = _app.CreateHttpClient("webapi", "management");
        return (await management.GetStringAsync("/metrics")).Contains("http_server_request_duration", StringComparison.Ordinal);
    }

    public async Task<string> FingerprintedAssetAsync()
    {
        using var client = _app.CreateHttpClient("static");
        var page = await client.GetStringAsync("/");
        return AssetUrl().Match(page) is { Success: true } match ? match.Value : throw new InvalidOperationException("index.html references no fingerprinted asset");
    }

    /// <summary>Resident memory of every resource's processes (all replicas, a server's workers and backends).</summary>
    public IEnumerable<(string Resource, double RssMiB)> Memory() =>
        _app.ResourceNotifications.Snapshot()
            .Where(r => r.Pids.Count > 0)
            .Select(r => (r.Name, r.Pids.Sum(ProcessMemory.TreeRssMiB)))
            .Append(("apphost (and bench)", ProcessMemory.SelfRssMiB()));

    public async ValueTask DisposeAsync()
    {
        var dataDirectory = _app.Options.DataDirectory!;
        await _app.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [GeneratedRegex(@"/assets/[A-Za-z0-9._-]+\.js")]
    private static partial Regex AssetUrl();
}
