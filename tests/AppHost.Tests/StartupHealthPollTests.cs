using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AppHost.Tests;

/// <summary>
/// The AppHost's startup health polling, against a scripted check (the resource behind it is not what is tested here:
/// every stack test starts its resources through it; ModelTests shows that every check of the model is wrapped).
/// </summary>
public sealed class StartupHealthPollTests
{
    // Short enough for a quick test, and a window long enough that only the check's script decides when it passes.
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_check_asks_again_within_its_window_until_the_resource_passes()
    {
        var check = new ScriptedCheck(healthyFromCall: 60);

        var result = await Poll(check, new StartupHealthPoll.Progress()).CheckHealthAsync(Context());

        Assert.Equal((HealthStatus.Healthy, 60), (result.Status, check.Calls));
    }

    [Fact]
    public async Task Aspire_s_first_check_sees_a_resource_that_becomes_healthy_after_Aspire_s_first_wait()
    {
        // Aspire waits 1 s after a check that did not pass: the first check, as shipped, must not end before then, or a
        // resource healthy in its second second (PostgreSQL after initdb) goes unseen until the next check.
        var healthyAt = TimeProvider.System.GetTimestamp() + (long)(1.5 * TimeProvider.System.TimestampFrequency);
        var check = new DelegateCheck(() => TimeProvider.System.GetTimestamp() >= healthyAt);

        var first = await new StartupHealthPoll(check, new StartupHealthPoll.Progress(), TimeProvider.System).CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Healthy, first.Status);
    }

    [Fact]
    public async Task Once_the_resource_has_passed_each_check_runs_once_and_reports_a_failure_as_it_is()
    {
        var check = new ScriptedCheck(healthyFromCall: 1);
        var progress = new StartupHealthPoll.Progress();
        Assert.Equal(HealthStatus.Healthy, (await Poll(check, progress).CheckHealthAsync(Context())).Status);

        check.HealthyFromCall = int.MaxValue;
        var later = await Poll(check, progress).CheckHealthAsync(Context());
        var again = await Poll(check, progress).CheckHealthAsync(Context());

        Assert.Equal((HealthStatus.Unhealthy, HealthStatus.Unhealthy, 3), (later.Status, again.Status, check.Calls));
    }

    [Fact]
    public async Task A_resource_that_never_passes_is_reported_unhealthy_once_the_window_is_over()
    {
        var check = new ScriptedCheck(healthyFromCall: int.MaxValue);

        var polled = await new StartupHealthPoll(check, new StartupHealthPoll.Progress(), TimeProvider.System, s_interval, window: TimeSpan.FromMilliseconds(200))
            .CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Unhealthy, polled.Status);
        // Asked again within the window, and not past it: at most the first call and one per interval.
        Assert.InRange(check.Calls, 2, (200 / 10) + 1);
    }

    [Fact]
    public async Task A_check_that_throws_is_reported_with_its_registration_s_failure_status_and_asked_again()
    {
        var check = new ScriptedCheck(healthyFromCall: 60) { ThrowBeforeHealthy = true };
        var progress = new StartupHealthPoll.Progress();

        // A first check too short for the 60 calls, then one long enough.
        var first = await new StartupHealthPoll(check, progress, TimeProvider.System, s_interval, window: TimeSpan.FromMilliseconds(200))
            .CheckHealthAsync(Context(HealthStatus.Degraded));
        var second = await Poll(check, progress).CheckHealthAsync(Context(HealthStatus.Degraded));

        Assert.Equal(HealthStatus.Degraded, first.Status);
        Assert.Equal("not listening yet", first.Description);
        Assert.IsType<HttpRequestException>(first.Exception);
        Assert.Equal((HealthStatus.Healthy, 60), (second.Status, check.Calls));
    }

    private static StartupHealthPoll Poll(IHealthCheck check, StartupHealthPoll.Progress progress) =>
        new(check, progress, TimeProvider.System, s_interval, s_window);

    private static HealthCheckContext Context(HealthStatus failureStatus = HealthStatus.Unhealthy) => new()
    {
        Registration = new HealthCheckRegistration("resource_check", _ => throw new InvalidOperationException("not used"), failureStatus, tags: null),
    };

    private sealed class DelegateCheck(Func<bool> healthy) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(healthy() ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("starting"));
    }

    /// <summary>Unhealthy (or throwing) until its <see cref="HealthyFromCall"/>th call, healthy from then on.</summary>
    private sealed class ScriptedCheck(int healthyFromCall) : IHealthCheck
    {
        public int Calls { get; private set; }

        public int HealthyFromCall { get; set; } = healthyFromCall;

        public bool ThrowBeforeHealthy { get; init; }

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Calls++;
            if (Calls >= HealthyFromCall)
            {
                return Task.FromResult(HealthCheckResult.Healthy());
            }

            return ThrowBeforeHealthy
                ? throw new HttpRequestException("not listening yet")
                : Task.FromResult(HealthCheckResult.Unhealthy("not listening yet"));
        }
    }
}
