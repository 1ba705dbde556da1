using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDefaults.Tests;

public sealed class HealthProbeTests
{
    [Fact]
    public async Task The_public_readiness_answer_is_the_status_text_only()
    {
        await using var app = await TestApp.StartAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("postgres", () => HealthCheckResult.Unhealthy("Host=db;Password=s3cret refused")));

        using var ready = await app.Public.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var live = await app.Public.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var details = await app.Management!.GetAsync(new Uri("/health/details", UriKind.Relative));
        var detailsText = await details.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        // Liveness is the process alone: a dependency down must not get the replica restarted.
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, details.StatusCode);
        var postgres = JsonDocument.Parse(detailsText).RootElement.GetProperty("checks").GetProperty("postgres");
        Assert.Equal("Unhealthy", postgres.GetProperty("status").GetString());
        Assert.DoesNotContain("s3cret", detailsText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_probes_within_the_cache_window_run_the_checks_once()
    {
        var runs = 0;
        await using var app = await TestApp.StartAsync(
            new() { ["HealthChecks:CacheDuration"] = "00:00:01" },
            configure: builder => builder.Services.AddHealthChecks().AddAsyncCheck("counting", async () =>
            {
                Interlocked.Increment(ref runs);
                await Task.Delay(200);
                return HealthCheckResult.Healthy();
            }));

        var probes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.Public.GetStringAsync("/health/ready")));
        Assert.All(probes, body => Assert.Equal("Healthy", body));
        Assert.Equal(1, runs);

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await app.Public.GetStringAsync("/health/ready");
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task A_check_that_hangs_makes_readiness_unhealthy_after_the_timeout()
    {
        await using var app = await TestApp.StartAsync(
            new() { ["HealthChecks:Timeout"] = "00:00:00.300" },
            configure: builder => builder.Services.AddHealthChecks().AddAsyncCheck("hanging", async cancellationToken =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return HealthCheckResult.Healthy();
            }));

        // A probe that waited on the hanging check would be cancelled here and fail the test, rather than pass slowly.
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var ready = await app.Public.GetAsync(new Uri("/health/ready", UriKind.Relative), hangGuard.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }
}
