using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>Resources seen healthy within a fraction of a second of becoming so, while the AppHost starts them.</summary>
public static class StartupHealthPollingBuilderExtensions
{
    /// <summary>
    /// Aspire checks a running resource that is not healthy yet after 1, 2, 3, 4 and then every 5 s, so a resource
    /// that becomes healthy just after a check is seen up to 5 s late, and each <c>WaitFor</c> on the start's critical
    /// path adds that lag. Until a resource's check has passed once, each of Aspire's checks asks again every
    /// <see cref="StartupHealthPoll.Interval"/> before it answers, for up to <see cref="StartupHealthPoll.Window"/>.
    /// After the first pass every check runs once, as Aspire runs it. Local run only.
    /// </summary>
    public static IDistributedApplicationBuilder AddStartupHealthPolling(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var create = registration.Factory;
                var progress = new StartupHealthPoll.Progress();
                registration.Factory = services => new StartupHealthPoll(create(services), progress, services.GetService<TimeProvider>() ?? TimeProvider.System);
            }
        });
        return builder;
    }
}

/// <summary>One run of a resource's health check: polled while the resource has never been seen healthy.</summary>
internal sealed class StartupHealthPoll(IHealthCheck check, StartupHealthPoll.Progress progress, TimeProvider time, TimeSpan? interval = null, TimeSpan? window = null) : IHealthCheck
{
    /// <summary>How often a not-yet-healthy resource is asked again within one of Aspire's checks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long each of Aspire's checks may poll: Aspire's longest wait between checks, so a failing resource still
    /// reports its reason as often. The first check polls as long as the others: Aspire waits 1 s after a check that did
    /// not pass, so a shorter first window left a resource that became healthy in its second second unseen until then
    /// (PostgreSQL on a new data directory, whose initdb runs first; bench/README.md, start-up).
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval = interval ?? Interval;

    private readonly TimeSpan _window = window ?? Window;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var result = await RunAsync(context, cancellationToken);
        var limit = progress.SeenHealthy ? TimeSpan.Zero : _window;
        while (result.Status != HealthStatus.Healthy && time.GetElapsedTime(started) + _interval < limit)
        {
            await Task.Delay(_interval, time, cancellationToken);
            result = await RunAsync(context, cancellationToken);
        }

        if (result.Status == HealthStatus.Healthy)
        {
            progress.SeenHealthy = true;
        }

        return result;
    }

    /// <summary>The check, with a thrown exception reported as <see cref="HealthCheckService"/> reports it.</summary>
    private async Task<HealthCheckResult> RunAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await check.CheckHealthAsync(context, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
        }
    }

    /// <summary>What the checks of one registration have seen, across Aspire's runs of it.</summary>
    internal sealed class Progress
    {
        public volatile bool SeenHealthy;
    }
}
