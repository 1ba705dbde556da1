using System.Net;
using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

/// <summary>Fault drills on the shared stack: each breaks a dependency under load and asserts counts, not timings.</summary>
[Collection(StackTestGroup.Name)]
public sealed class RedisOutageDrill(StackFixture stack)
{
    private static readonly Dictionary<string, string> s_bypassProxyCache = new() { ["Cookie"] = "drill=1" };

    [Fact]
    public async Task With_Redis_stopped_reads_keep_answering_readiness_degrades_and_all_recovers()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using (var load = new LoadLoop(() => ProxyClient.Create(app), "/api/checklists", headers: s_bypassProxyCache))
        {
            await app.StopResourceAsync("cache");
            try
            {
                // Readiness degrades on every replica (each caches its result for a moment, so poll).
                await app.ResourceNotifications.WaitForResourceAsync("webapi", s => s.Replicas.All(r => r.Health == HealthStatus.Unhealthy), timeout.Token);
                using (var client = ProxyClient.Create(app))
                {
                    while (true)
                    {
                        using var ready = await client.GetAsync("/health/ready", timeout.Token);
                        if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
                        {
                            break;
                        }

                        await Task.Delay(200, timeout.Token);
                    }
                }

                // A replica restarted now has an empty in-process cache: its reads must fall back to PostgreSQL.
                var before = app.ResourceNotifications.Instance("webapi", 0);
                System.Diagnostics.Process.GetProcessById(before.Pid!.Value).Kill();
                await app.ResourceNotifications.WaitForResourceAsync("webapi", s => s.Replicas[0].Restarts > before.Restarts && s.Replicas[0].Pid is not null, timeout.Token);
                Assert.Equal(HttpStatusCode.OK, await FirstAnswerAsync(app.CreateHttpClient("webapi", replica: 0), "/api/checklists", timeout.Token));
            }
            finally
            {
                await app.StartResourceAsync("cache");
            }

            await app.ResourceNotifications.WaitForResourceHealthyAsync("cache", timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("webapi", timeout.Token);
            Assert.True(load.Answers.Count > 50, $"only {load.Answers.Count} requests were made");
            Assert.All(load.Answers, a => Assert.Equal(200, a.Status));
        }
    }

    /// <summary>Polls until the replica answers at all (it is restarting), then returns its status.</summary>
    internal static async Task<HttpStatusCode> FirstAnswerAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using (client)
        {
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync(path, cancellationToken);
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
    }
}

/// <summary>
/// A stack whose API reads PostgreSQL on every request, so a database outage is visible to clients and every request
/// has database spans; the API exports its telemetry over OTLP/HTTP to a receiver in the test.
/// </summary>
public sealed class UncachedStackFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    internal OtlpTraceReceiver Telemetry { get; } = new();

    public async Task InitializeAsync() => App = await StackFixture.StartAsync(
        builder => builder.Builder.CreateResourceBuilder((ProjectResource)builder.Resources["webapi"])
            .WithEnvironment("Checklists__CacheReads", "false")
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Endpoint)
            .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200"),
        ["webapi", "proxy"]);

    public async Task DisposeAsync()
    {
        await StackFixture.StopAsync(App);
        Telemetry.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class UncachedStackTestGroup : ICollectionFixture<UncachedStackFixture>
{
    public const string Name = "uncached stack";
}

[Collection(UncachedStackTestGroup.Name)]
public sealed class PostgresOutageDrill
{
    private static readonly Dictionary<string, string> s_bypassProxyCache = new() { ["Cookie"] = "drill=1" };
    private readonly DistributedApplication _app;

    public PostgresOutageDrill(UncachedStackFixture stack) => _app = stack.App;

    [Fact]
    public async Task While_PostgreSQL_restarts_reads_answer_503_problem_details_never_500_and_then_recover()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var load = new LoadLoop(() => ProxyClient.Create(_app), "/api/checklists", headers: s_bypassProxyCache);
        await WaitForAnswersAsync(load, a => a.Status == 200, timeout.Token);

        await _app.StopResourceAsync("postgres");
        DateTime outageEnded;
        try
        {
            await WaitForAnswersAsync(load, a => a.Status == 503, timeout.Token);
        }
        finally
        {
            await _app.StartResourceAsync("postgres");
            await _app.ResourceNotifications.WaitForResourceHealthyAsync("postgres", timeout.Token);
            outageEnded = DateTime.UtcNow;
        }

        await WaitForAnswersAsync(load, a => a.Status == 200 && a.At > outageEnded, timeout.Token);
        var answers = load.Answers;
        Assert.All(answers, a => Assert.True(a.Status is 200 or 503, $"answered {a.Status}"));
        Assert.All(answers.Where(a => a.Status == 503), a => Assert.Equal("application/problem+json", a.MediaType));
    }

    private static async Task WaitForAnswersAsync(LoadLoop load, Func<(DateTime At, int Status, string? MediaType), bool> match, CancellationToken cancellationToken)
    {
        while (!load.Answers.Any(match))
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}
