using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Overload;

namespace ServiceDefaults.Tests;

/// <summary>Load shedding (ServiceDefaults/Overload) on a real Kestrel app: what is shed, how, and what never is.</summary>
public sealed class OverloadTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task At_a_limit_of_two_without_a_queue_the_third_concurrent_request_is_shed_with_503_problem_details_while_probes_pass()
    {
        var held = new HeldRequests(2);
        await using var app = await TestApp.StartAsync(
            new() { ["Overload:MaxConcurrentRequests"] = "2", ["Overload:QueueLimit"] = "0" },
            map: held.Map);
        var first = app.Public.GetAsync(new Uri("/hold", UriKind.Relative));
        var second = app.Public.GetAsync(new Uri("/hold", UriKind.Relative));
        await held.AllInside.WaitAsync(s_timeout);

        using var shed = await app.Public.GetAsync(new Uri("/orders/7", UriKind.Relative));
        using var live = await app.Public.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await app.Public.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var details = await app.Management!.GetAsync(new Uri("/health/details", UriKind.Relative));
        var metrics = await ShedCounterAsync(app, "queue_full");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
        Assert.Equal("application/problem+json", shed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), shed.Headers.RetryAfter?.Delta);
        Assert.Equal("nosniff", string.Join(",", shed.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(shed.Headers.Contains("Content-Security-Policy"), "the shed answer lacks the default Content-Security-Policy");
        using (var problem = JsonDocument.Parse(await shed.Content.ReadAsStringAsync()))
        {
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Service Unavailable", problem.RootElement.GetProperty("title").GetString());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        }

        // Probes and the management port are never shed, however busy the process is.
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
        Assert.Equal(1, metrics);

        // The held requests finish normally, and the next request is served again.
        held.Release();
        using (var one = await first)
        using (var two = await second)
        {
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        }

        using var after = await app.Public.GetAsync(new Uri("/orders/8", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_queued_request_is_served_once_a_place_frees_and_one_beyond_the_queue_is_shed()
    {
        var held = new HeldRequests(1);
        await using var app = await TestApp.StartAsync(
            new() { ["Overload:MaxConcurrentRequests"] = "1", ["Overload:QueueLimit"] = "1", ["Overload:QueueTimeout"] = "00:01:00" },
            map: held.Map);
        var holding = app.Public.GetAsync(new Uri("/hold", UriKind.Relative));
        await held.AllInside.WaitAsync(s_timeout);
        var queued = app.Public.GetAsync(new Uri("/orders/1", UriKind.Relative));
        var protection = app.Services.GetRequiredService<OverloadProtection>();
        using (var waiting = new CancellationTokenSource(s_timeout))
        {
            while (protection.Statistics!.CurrentQueuedCount == 0)
            {
                await Task.Delay(10, waiting.Token);
            }
        }

        using var beyond = await app.Public.GetAsync(new Uri("/orders/2", UriKind.Relative));

        Assert.False(queued.IsCompleted, "the queued request was answered while every place was taken");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, beyond.StatusCode);
        held.Release();
        using var served = await queued;
        using var held1 = await holding;
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(HttpStatusCode.OK, held1.StatusCode);
    }

    [Fact]
    public async Task A_request_that_waits_longer_than_the_queue_timeout_is_shed()
    {
        var held = new HeldRequests(1);
        await using var app = await TestApp.StartAsync(
            new() { ["Overload:MaxConcurrentRequests"] = "1", ["Overload:QueueLimit"] = "4", ["Overload:QueueTimeout"] = "00:00:00.200" },
            map: held.Map);
        var holding = app.Public.GetAsync(new Uri("/hold", UriKind.Relative));
        await held.AllInside.WaitAsync(s_timeout);

        using var waited = await app.Public.GetAsync(new Uri("/orders/1", UriKind.Relative));
        var metrics = await ShedCounterAsync(app, "queue_timeout");
        held.Release();
        using var held1 = await holding;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, waited.StatusCode);
        Assert.Equal("application/problem+json", waited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, metrics);
        Assert.Equal(HttpStatusCode.OK, held1.StatusCode);
    }

    [Fact]
    public async Task A_limit_of_zero_sheds_nothing()
    {
        var held = new HeldRequests(3);
        await using var app = await TestApp.StartAsync(new() { ["Overload:MaxConcurrentRequests"] = "0", ["Overload:QueueLimit"] = "0" }, map: held.Map);
        var holding = Enumerable.Range(0, 3).Select(_ => app.Public.GetAsync(new Uri("/hold", UriKind.Relative))).ToList();
        await held.AllInside.WaitAsync(s_timeout);

        using var another = await app.Public.GetAsync(new Uri("/orders/1", UriKind.Relative));
        held.Release();
        foreach (var response in await Task.WhenAll(holding))
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.OK, another.StatusCode);
    }

    /// <summary>The shed counter's value for <paramref name="reason"/> as Prometheus scrapes it (0 when absent).</summary>
    private static async Task<long> ShedCounterAsync(TestApp app, string reason)
    {
        var metrics = await app.Management!.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("readiness_requests_shed_total{", StringComparison.Ordinal) && l.Contains($"reason=\"{reason}\"", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><c>GET /hold</c>: each request waits inside the app until <see cref="Release"/>; the first <c>count</c> signal once all are in.</summary>
    private sealed class HeldRequests(int count)
    {
        private readonly TaskCompletionSource _allInside = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inside;

        public Task AllInside => _allInside.Task;

        public void Map(WebApplication app) => app.MapGet("/hold", async () =>
        {
            if (Interlocked.Increment(ref _inside) == count)
            {
                _allInside.TrySetResult();
            }

            await _release.Task;
            return Results.Ok();
        });

        public void Release() => _release.TrySetResult();
    }
}
