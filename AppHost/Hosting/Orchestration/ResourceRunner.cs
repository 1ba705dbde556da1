using Microsoft.Extensions.Logging;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Everything a runner needs from the orchestrator.</summary>
internal sealed record RunnerContext(
    DistributedApplicationOptions Options,
    DistributedApplicationExecutionContext ExecutionContext,
    ResourceNotificationService Notifications,
    ProcessLedger Ledger,
    OutputSink Output,
    ILogger Logger)
{
    public string DataDirectory => Options.DataDirectory!;
}

/// <summary>Brings one resource of the model to life and takes it down again.</summary>
internal abstract class ResourceRunner(IResource resource, RunnerContext context)
{
    public IResource Resource { get; } = resource;

    protected RunnerContext Context { get; } = context;

    /// <summary>True when another resource waits for this one to complete: it runs once and is never restarted.</summary>
    public bool IsOneShot { get; set; }

    /// <summary>One line per missing server or file, each saying how to get it.</summary>
    public virtual IEnumerable<string> MissingPrerequisites() => [];

    public abstract Task RunAsync(CancellationToken stopping);

    public abstract Task StopAsync(TimeSpan grace);

    /// <summary>The "stop" command: stops the resource and keeps it stopped (no restart) until <see cref="StartResourceAsync"/>.</summary>
    public virtual Task StopResourceAsync() => throw new NotSupportedException($"{Resource.Name} cannot be stopped on its own.");

    /// <summary>The "start" command: starts a resource the stop command stopped.</summary>
    public virtual Task StartResourceAsync() => throw new NotSupportedException($"{Resource.Name} cannot be started on its own.");

    protected void Update(int index, Func<InstanceSnapshot, InstanceSnapshot> change) => Context.Notifications.Update(Resource.Name, index, change);

    protected void UpdateAll(Func<InstanceSnapshot, InstanceSnapshot> change)
    {
        for (var i = 0; i < Resource.Replicas(); i++)
        {
            Update(i, change);
        }
    }

    /// <summary>Waits for every <c>WaitFor</c>/<c>WaitForCompletion</c> dependency; fails if one of them failed.</summary>
    protected async Task WaitForDependenciesAsync(CancellationToken cancellationToken)
    {
        var waits = Resource.OfAnnotation<WaitAnnotation>().ToList();
        var parent = (Resource as IResourceWithParent)?.Parent;
        if (parent is not null)
        {
            waits.Add(new WaitAnnotation(parent, WaitType.WaitUntilHealthy));
        }

        if (waits.Count == 0)
        {
            return;
        }

        UpdateAll(s => s with { State = ResourceState.Waiting });
        await Task.WhenAll(waits.Select(wait => Context.Notifications.WaitForResourceAsync(wait.Resource.Name, snapshot => IsSatisfied(wait, snapshot), cancellationToken)));
    }

    private static bool IsSatisfied(WaitAnnotation wait, ResourceSnapshot snapshot)
    {
        var failed = snapshot.State == ResourceState.FailedToStart
            || (wait.WaitType == WaitType.WaitForCompletion && snapshot.State == ResourceState.Exited && snapshot.Replicas.All(r => r.ExitCode is not null && r.ExitCode != wait.ExitCode));
        if (failed)
        {
            throw new DependencyFailedException($"'{wait.Resource.Name}' failed ({snapshot.Message ?? snapshot.State.ToString()}).");
        }

        return wait.WaitType == WaitType.WaitForCompletion
            ? snapshot.State == ResourceState.Finished
            : snapshot.State == ResourceState.Healthy;
    }
}

internal sealed class DependencyFailedException(string message) : Exception(message);
