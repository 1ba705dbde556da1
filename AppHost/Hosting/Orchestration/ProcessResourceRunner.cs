using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>
/// Runs each replica of a resource as a local process in its own process group: waits for dependencies, starts,
/// probes health, restarts a crashed replica with backoff, and stops the group with the resource's own signal.
/// </summary>
internal abstract class ProcessResourceRunner(IResource resource, RunnerContext context) : ResourceRunner(resource, context)
{
    private static readonly TimeSpan s_healthyLongEnoughToForgetCrashes = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_maximumBackoff = TimeSpan.FromSeconds(30);
    private readonly Replica[] _replicas = [.. Enumerable.Range(0, resource.Replicas()).Select(i => new Replica(i))];
    private volatile bool _stopping;
    private volatile bool _held;
    private TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The signal that asks this kind of server for a graceful shutdown.</summary>
    protected virtual int StopSignal => NativeMethods.SIGTERM;

    /// <summary>How often a healthy replica is probed (starting replicas are probed far more often).</summary>
    protected virtual TimeSpan HealthInterval => TimeSpan.FromSeconds(1);

    protected abstract Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken);

    /// <summary>Null when the resource has no way to tell: it counts as running, not healthy.</summary>
    protected abstract Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken);

    /// <summary>One-time work before the first replica starts (initdb, a config file).</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Upkeep while one process runs (rotating a server's own log files); ends when it exits.</summary>
    protected virtual Task HousekeepAsync(ChildProcess process, CancellationToken exited) => Task.CompletedTask;

    /// <summary>The replica's identity and ports, as environment callbacks and specs see it.</summary>
    protected ResourceInstanceInfo InstanceInfo(int index)
    {
        var endpoints = Resource.OfAnnotation<AllocatedEndpointsAnnotation>().SingleOrDefault()?.Endpoints ?? [];
        var name = Context.Notifications.Instance(Resource.Name, index).Name;
        return new ResourceInstanceInfo(name, index, endpoints.Where(e => e.ReplicaIndex == index).ToDictionary(e => e.Name, e => e.Port));
    }

    private List<string> Urls(int index) =>
        [.. (Resource.OfAnnotation<AllocatedEndpointsAnnotation>().SingleOrDefault()?.Endpoints ?? []).Where(e => e.ReplicaIndex == index).Select(e => e.Url)];

    public override async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await WaitForDependenciesAsync(stopping);
            UpdateAll(s => s with { State = ResourceState.Starting });
            await PrepareAsync(stopping);
            await Task.WhenAll(_replicas.Select(r => SuperviseAsync(r, stopping)));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the resource must not sit in "Starting" forever: say so in its state.
            // Expected failures are told in one line; anything else keeps its stack trace for the log.
            Context.Logger.FailedToStart(Resource.Name, ex.Message, ex is DependencyFailedException or ResourceStartException ? null : ex);
            Context.Notifications.SetMessage(Resource.Name, ex.Message);
            UpdateAll(s => s with { State = ResourceState.FailedToStart, Health = HealthStatus.Unhealthy });
        }
    }

    private async Task SuperviseAsync(Replica replica, CancellationToken stopping)
    {
        var consecutiveCrashes = 0;
        while (!stopping.IsCancellationRequested)
        {
            var info = InstanceInfo(replica.Index);
            var spec = await CreateProcessSpecAsync(info, stopping);
            var started = Stopwatch.StartNew();
            using var process = ProcessLauncher.Start(info.Name, spec, Context.Output);
            replica.Process = process;
            Context.Ledger.Add(info.Name, process.Id, StopSignal);
            Update(replica.Index, s => s with { State = ResourceState.Starting, Health = HealthStatus.Unknown, Pid = process.Id, ExitCode = null, Urls = IsOneShot ? [] : Urls(replica.Index) });

            using var exited = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var health = IsOneShot ? MarkRunning(replica.Index) : MonitorHealthAsync(info, replica.Index, exited.Token);
            var housekeeping = HousekeepAsync(process, exited.Token);
            await process.WaitForExitAsync(CancellationToken.None);
            await exited.CancelAsync();
            var healthyFor = await health;
            await housekeeping;

            var exitCode = process.ExitCode;
            Context.Ledger.Remove(info.Name);
            replica.Process = null;
            Context.Output.Write(info.Name, $"[apphost] process {process.Id} exited with code {exitCode}");

            if (_stopping || stopping.IsCancellationRequested)
            {
                Update(replica.Index, s => s with { State = ResourceState.Exited, Health = HealthStatus.Unknown, Pid = null, ExitCode = exitCode });
                return;
            }

            if (_held)
            {
                // Stopped on purpose by the stop command: wait for the start command instead of restarting.
                Update(replica.Index, s => s with { State = ResourceState.Exited, Health = HealthStatus.Unknown, Pid = null, ExitCode = exitCode });
                await _resume.Task.WaitAsync(stopping);
                consecutiveCrashes = 0;
                continue;
            }

            if (IsOneShot)
            {
                Update(replica.Index, s => s with { State = exitCode == 0 ? ResourceState.Finished : ResourceState.Exited, Health = HealthStatus.Unknown, Pid = null, ExitCode = exitCode });
                if (exitCode != 0)
                {
                    Context.Notifications.SetMessage(Resource.Name, $"exited with code {exitCode}; see {Context.Output.LogFile(info.Name)}");
                }

                return;
            }

            consecutiveCrashes = healthyFor >= s_healthyLongEnoughToForgetCrashes || started.Elapsed >= s_healthyLongEnoughToForgetCrashes ? 1 : consecutiveCrashes + 1;
            var backoff = TimeSpan.FromMilliseconds(Math.Min(s_maximumBackoff.TotalMilliseconds, 250 * Math.Pow(2, consecutiveCrashes - 1)));
            Update(replica.Index, s => s with { State = ResourceState.Exited, Health = HealthStatus.Unhealthy, Pid = null, ExitCode = exitCode, Restarts = s.Restarts + 1 });
            Context.Logger.Restarting(info.Name, exitCode, backoff.TotalMilliseconds);
            await Task.Delay(backoff, stopping);
        }
    }

    private Task<TimeSpan> MarkRunning(int index)
    {
        Update(index, s => s with { State = ResourceState.Running });
        return Task.FromResult(TimeSpan.Zero);
    }

    /// <summary>Probes one process run until it exits; returns how long it had been healthy when it did.</summary>
    private async Task<TimeSpan> MonitorHealthAsync(ResourceInstanceInfo info, int index, CancellationToken exited)
    {
        DateTime? healthySince = null;
        var everHealthy = false;
        try
        {
            while (!exited.IsCancellationRequested)
            {
                bool? healthy;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(exited))
                {
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    try
                    {
                        healthy = await IsHealthyAsync(info, timeout.Token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !exited.IsCancellationRequested)
                    {
                        healthy = false;
                    }
                }

                if (exited.IsCancellationRequested)
                {
                    break;
                }

                // A failing probe means Unhealthy only once the run has been healthy; before that it is still starting.
                var wasHealthy = everHealthy;
                everHealthy |= healthy == true;
                healthySince = healthy == true ? healthySince ?? DateTime.UtcNow : null;
                Update(index, s => s with
                {
                    State = healthy switch
                    {
                        true => ResourceState.Healthy,
                        null => ResourceState.Running,
                        false => wasHealthy ? ResourceState.Unhealthy : ResourceState.Starting,
                    },
                    Health = healthy switch { true => HealthStatus.Healthy, false when wasHealthy => HealthStatus.Unhealthy, _ => HealthStatus.Unknown },
                });

                // Probe quickly until the first success so dependents start as soon as possible.
                await Task.Delay(healthy == true ? HealthInterval : TimeSpan.FromMilliseconds(100), exited);
            }
        }
        catch (OperationCanceledException) when (exited.IsCancellationRequested)
        {
        }

        return healthySince is { } since ? DateTime.UtcNow - since : TimeSpan.Zero;
    }

    public override async Task StopResourceAsync()
    {
        _resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held = true;
        await SignalAndWaitAsync(TimeSpan.FromSeconds(5));
    }

    public override Task StartResourceAsync()
    {
        _held = false;
        _resume.TrySetResult();
        return Task.CompletedTask;
    }

    public override Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        _resume.TrySetResult();
        return SignalAndWaitAsync(grace);
    }

    /// <summary>Asks every live replica to stop with the resource's own signal; what is still alive after the grace period is killed.</summary>
    private async Task SignalAndWaitAsync(TimeSpan grace)
    {
        var running = _replicas.Select(r => r.Process).OfType<ChildProcess>().Where(p => !p.HasExited).ToList();
        foreach (var process in running)
        {
            UpdateAll(s => s.Pid == process.Id ? s with { State = ResourceState.Stopping } : s);
            NativeMethods.SignalGroup(process.Id, StopSignal);
        }

        using var deadline = new CancellationTokenSource(grace);
        await Task.WhenAll(running.Select(async process =>
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Context.Logger.KillingAfterGrace(Resource.Name, process.Id, grace.TotalSeconds);
            }

            // Anything left in the group (a server's workers, a child that ignored the signal) goes too.
            NativeMethods.SignalGroup(process.Id, NativeMethods.SIGKILL);
        }));
    }

    private sealed class Replica(int index)
    {
        public int Index { get; } = index;

        public ChildProcess? Process { get; set; }
    }
}

internal sealed class ResourceStartException(string message) : Exception(message);
