using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>
/// Follows Aspire's resource notifications: restarts crashed replicas (Aspire's start command, with backoff) and tells
/// the watchers when the ports of a resource's replicas change.
/// </summary>
internal sealed partial class ReplicaWatcher(
    ReplicaWatcher.WatchList watches,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    ILogger<ReplicaWatcher> logger) : ResourceEventFollower(notifications)
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stableAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);

    // A replica started again reports no environment until its new process runs. Until then it keeps the ports it
    // reported last, so a restart on the same ports changes nothing downstream: nginx is not reloaded twice (without
    // the replica, then with it), which would start two generations of workers and close clients' idle connections.
    private readonly ConcurrentDictionary<string, ResourceEvent> _lastReported = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RestartHistory> _restarts = new(StringComparer.Ordinal);
    // The notification loop and the retries of failed follows both call consumers; one at a time, in either order.
    private readonly SemaphoreSlim _notifying = new(1, 1);
    private readonly Dictionary<Watch, string> _lastPorts = [];
    private readonly ConcurrentDictionary<Watch, bool> _retrying = new();
    private readonly Dictionary<string, string?> _previousStates = new(StringComparer.Ordinal);

    /// <summary>The watches registered while the model was built; one list per builder.</summary>
    internal sealed class WatchList : List<Watch>;

    internal sealed record Watch(IResource Target, string EndpointName, IResource Consumer, Func<ReplicaWatcher, CancellationToken, Task<bool>> OnChange);

    private sealed record RestartHistory(int Failures, DateTime LastStart, bool Pending);

    private static readonly ConditionalWeakTable<IDistributedApplicationBuilder, WatchList> s_watches = new();

    internal static WatchList Watches(IDistributedApplicationBuilder builder) => s_watches.GetOrCreateValue(builder);

    /// <summary>How long after a consumer failed to follow a change it is offered the change again; doubled each time, up to 30 s.</summary>
    internal TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The ports the resource's replicas serve the endpoint on now, as DCP resolved them for each replica.</summary>
    internal IReadOnlyList<ReplicaPort> CurrentPorts(IResource target, string endpointName)
    {
        var variable = ReplicaPort.VariableName(endpointName);
        var ports = new List<ReplicaPort>();
        foreach (var current in _lastReported.Values.Where(e => e.Resource == target).OrderBy(e => e.ResourceId, StringComparer.Ordinal))
        {
            if (current.Snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == variable) is { Value: { } value }
                && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(new(current.ResourceId, port));
            }
        }

        return ports;
    }

    /// <summary>
    /// Waits until the resource is healthy, every one of its replicas has reported its port, and one of them answers
    /// <paramref name="readyPath"/> there. Aspire's health is the resource's, whichever check it has: one healthy
    /// replica makes the resource healthy while another may not serve yet.
    /// </summary>
    /// <remarks>
    /// One serving replica is enough: the others are probed at the same time, and the one that has not answered a
    /// request yet takes 0.3-0.4 s over its first (bench/README.md, the proxy's wait for the replicas). A consumer such
    /// as nginx passes that request itself, and leaves a replica that refuses it out until it serves.
    /// </remarks>
    internal async Task<IReadOnlyList<ReplicaPort>> WaitForReplicasAsync(IResource target, string endpointName, string readyPath, CancellationToken cancellationToken)
    {
        // Through a replica's crash and restart, whatever the default: where it is to stop at the first terminal state
        // (the dashboard off, or the testing builder), one crashed replica would fail the proxy's start.
        await Notifications.WaitForResourceHealthyAsync(target.Name, WaitBehavior.WaitOnResourceUnavailable, cancellationToken);
        var replicas = target.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            var ports = CurrentPorts(target, endpointName);
            if (ports.Count >= replicas && await AnyReadyAsync(probe, ports, readyPath, cancellationToken))
            {
                return ports;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Whether any replica answers <paramref name="readyPath"/> with success; all are asked at once.</summary>
    private static async Task<bool> AnyReadyAsync(HttpClient probe, IReadOnlyList<ReplicaPort> ports, string readyPath, CancellationToken cancellationToken)
    {
        var probes = ports.Select(async replica => (await ReplicaHealthCheck.ProbeAsync(probe, replica, readyPath, cancellationToken)).Ready).ToList();
        while (probes.Count > 0)
        {
            var done = await Task.WhenAny(probes);
            if (await done)
            {
                return true;
            }

            probes.Remove(done);
        }

        return false;
    }

    /// <summary>The process id DCP reports for a single-instance resource, while it runs.</summary>
    internal int? ProcessId(IResource resource) =>
        _latest.Values.SingleOrDefault(e => e.Resource == resource) is { } current
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
        && int.TryParse(Convert.ToString(pid, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    protected override async Task OnChangeAsync(ResourceEvent change, CancellationToken cancellationToken)
    {
        _latest[change.ResourceId] = change;
        if (!change.Snapshot.EnvironmentVariables.IsDefaultOrEmpty)
        {
            _lastReported[change.ResourceId] = change;
        }

        if (change.Resource.Annotations.OfType<RestartOnFailureAnnotation>().Any())
        {
            ConsiderRestart(change);
        }

        // The consumer's own events too: one that could not follow yet (nginx before its process runs) can once it does.
        await _notifying.WaitAsync(cancellationToken);
        try
        {
            foreach (var watch in watches.Where(w => w.Target == change.Resource || w.Consumer == change.Resource))
            {
                await NotifyIfChangedAsync(watch, failures: 0, cancellationToken);
            }
        }
        finally
        {
            _notifying.Release();
        }
    }

    /// <summary>Calls the watch's consumer if the ports changed since it last followed them; the caller holds <see cref="_notifying"/>.</summary>
    private async Task NotifyIfChangedAsync(Watch watch, int failures, CancellationToken cancellationToken)
    {
        var ports = CurrentPorts(watch.Target, watch.EndpointName);
        var key = string.Join(',', ports.Select(p => $"{p.ReplicaName}={p.Port}"));
        if (ports.Count == 0 || (_lastPorts.TryGetValue(watch, out var last) && last == key))
        {
            return;
        }

        try
        {
            if (await watch.OnChange(this, cancellationToken))
            {
                _lastPorts[watch] = key;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A consumer that cannot follow a change now must not stop the watch. The ports stay unrecorded, so the
            // resource's next event (a health report, a state) tries again, even if its ports are the same; and since
            // a settled resource may send none for hours, so does a retry, with backoff.
            RetryLater(watch, failures, ex.Message);
        }
    }

    private void RetryLater(Watch watch, int failures, string reason)
    {
        var delay = TimeSpan.FromTicks(Math.Min(s_maxBackoff.Ticks, FirstRetryDelay.Ticks << Math.Min(failures, 5)));
        LogWatchFailed(logger, watch.Target.Name, $"{reason}; trying again in {delay.TotalSeconds} s");
        if (_retrying.TryAdd(watch, true))
        {
            RunInBackground(followerStopping => RetryAsync(watch, delay, failures + 1, followerStopping));
        }
    }

    /// <summary>Offers the watch's change to its consumer again after <paramref name="delay"/>, unless it was followed meanwhile.</summary>
    private async Task RetryAsync(Watch watch, TimeSpan delay, int failures, CancellationToken followerStopping)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(followerStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        try
        {
            await Task.Delay(delay, stoppingToken);
            await _notifying.WaitAsync(stoppingToken);
            try
            {
                _retrying.TryRemove(watch, out _);
                await NotifyIfChangedAsync(watch, failures, stoppingToken);
            }
            finally
            {
                _notifying.Release();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _retrying.TryRemove(watch, out _);
        }
    }

    /// <summary>
    /// A replica that was running and exited with a non-zero code crashed; one that a stop command ended went through
    /// Stopping first, and stays stopped. Once the AppHost is stopping, nothing is started again: DCP is stopping every
    /// process, and one started now would outlive the run.
    /// </summary>
    private void ConsiderRestart(ResourceEvent change)
    {
        var snapshot = change.Snapshot;
        var state = snapshot.State?.Text;
        var previous = _previousStates.TryGetValue(change.ResourceId, out var p) ? p : null;
        _previousStates[change.ResourceId] = state;
        if ((state != KnownResourceStates.Exited && state != KnownResourceStates.Finished) || previous != KnownResourceStates.Running || snapshot.ExitCode is null or 0
            || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return;
        }

        var history = _restarts.GetOrAdd(change.ResourceId, _ => new(0, DateTime.MinValue, false));
        if (history.Pending)
        {
            return;
        }

        var failures = DateTime.UtcNow - history.LastStart > s_stableAfter ? 0 : history.Failures;
        var delay = TimeSpan.FromTicks(Math.Min(s_maxBackoff.Ticks, s_firstBackoff.Ticks << Math.Min(failures, 10)));
        _restarts[change.ResourceId] = history with { Failures = failures + 1, Pending = true };
        LogRestarting(logger, change.ResourceId, snapshot.ExitCode.Value, delay.TotalSeconds);
        RunInBackground(followerStopping => RestartAsync(change.ResourceId, delay, followerStopping));
    }

    /// <summary>Starts the replica after <paramref name="delay"/>; a start that fails is tried again, with the delay doubled.</summary>
    private async Task RestartAsync(string resourceId, TimeSpan delay, CancellationToken followerStopping)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(followerStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        try
        {
            while (true)
            {
                await Task.Delay(delay, stoppingToken);
                var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
                if (result.Success)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(s_maxBackoff.Ticks, delay.Ticks * 2));
                LogWatchFailed(logger, resourceId, $"{result.Message ?? "start command failed"}; trying again in {delay.TotalSeconds} s");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _restarts.AddOrUpdate(resourceId, _ => new(1, DateTime.UtcNow, false), (_, h) => h with { LastStart = DateTime.UtcNow, Pending = false });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Replica} exited with code {ExitCode}; starting it again in {DelaySeconds} s")]
    private static partial void LogRestarting(ILogger logger, string replica, int exitCode, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource}: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string resource, string reason);
}
