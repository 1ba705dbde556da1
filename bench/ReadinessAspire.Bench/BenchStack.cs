using System.Text.RegularExpressions;
using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Testing;

namespace ReadinessAspire.Bench;

/// <summary>
/// The real model on random ports, with the proxy's rate limit lifted so the load generator is not throttled.
/// Variants of webapi (one replica each, the same database and cache) run beside it, so that comparisons between
/// them are made in the same run, on the same servers.
/// </summary>
internal sealed partial class BenchStack : IAsyncDisposable
{
    private static readonly string[] s_awaited = ["webapi", "static", "proxy"];
    private readonly DistributedApplication _app;

    private BenchStack(DistributedApplication app) => _app = app;

    public string CertificateDirectory => Path.Combine(_app.Options.DataDirectory!, "certs");

    public static async Task<BenchStack> StartAsync(bool cacheReads, IReadOnlyList<WebApiVariant> variants, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(["--Proxy:ApiRate=1000000r/s", "--Proxy:ApiBurst=1000000"], cancellationToken: cancellationToken);
        var model = builder.Builder;
        var webApi = model.CreateResourceBuilder((ProjectResource)builder.Resources["webapi"])
            .WithEnvironment("Checklists__CacheReads", cacheReads ? "true" : "false");
        foreach (var variant in variants)
        {
            var resource = model.AddProject<Projects.WebApi>(variant.Name)
                .WithReference(model.CreateResourceBuilder((IResourceWithConnectionString)builder.Resources["readiness"]))
                .WithReference(model.CreateResourceBuilder((IResourceWithConnectionString)builder.Resources["cache"]))
                .WaitFor(webApi)
                .WithEnvironment("AllowedHosts", "localhost;127.0.0.1")
                .WithEnvironment("Checklists__CacheReads", cacheReads ? "true" : "false")
                .WithHttpHealthCheck("/health/ready");
            foreach (var (name, value) in variant.Environment)
            {
                resource.WithEnvironment(name, value);
            }
        }

        var stack = new BenchStack(await builder.BuildAsync(cancellationToken));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await stack._app.StartAsync(timeout.Token);
            foreach (var resource in s_awaited.Concat(variants.Select(v => v.Name)))
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

    public string ReplicaUrl(string path, string resource = "webapi") => new Uri(_app.GetEndpoint(resource), path).ToString();

    /// <summary>Whether a replica's /metrics (management port) reports any HTTP request durations.</summary>
    public async Task<bool> RecordsRequestMetricsAsync(string resource)
    {
        using var api = _app.CreateHttpClient(resource);
        (await api.GetAsync("/api/checklists")).Dispose();
        using var management = _app.CreateHttpClient(resource, "management");
        return (await management.GetStringAsync("/metrics")).Contains("http_server_request_duration", StringComparison.Ordinal);
    }

    /// <summary>Whether a replica's JSON log files hold any access log line.</summary>
    public bool WritesAccessLog(string resource) =>
        Directory.EnumerateFiles(Path.Combine(_app.Options.DataDirectory!, "logs", resource), "*.jsonl")
            .Any(file => File.ReadLines(file).Any(line => line.Contains("\"category\":\"ServiceDefaults.AccessLog\"", StringComparison.Ordinal)));

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

/// <summary>An extra webapi resource with its own settings, e.g. telemetry off.</summary>
internal sealed record WebApiVariant(string Name, IReadOnlyDictionary<string, string> Environment);
