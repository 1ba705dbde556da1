using System.Collections.Concurrent;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>
/// The live state of every resource and replica. Runners publish to it; waits, the status table, the resource API
/// and tests read from it.
/// </summary>
public sealed class ResourceNotificationService
{
    private readonly ConcurrentDictionary<string, ResourceEntry> _resources = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResourceNotificationService(DistributedApplicationModel model)
    {
        foreach (var resource in model.Where(r => r is not ParameterResource))
        {
            _resources[resource.Name] = new ResourceEntry(resource.Name, ResourceTypes.Of(resource), resource.Replicas());
        }
    }

    /// <summary>Completes at the next change of any resource.</summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    public IReadOnlyList<ResourceSnapshot> Snapshot() => [.. _resources.Values.Select(e => e.Snapshot())];

    public ResourceSnapshot Snapshot(string name) =>
        _resources.TryGetValue(name, out var entry) ? entry.Snapshot() : throw new KeyNotFoundException($"No resource named '{name}'.");

    public InstanceSnapshot Instance(string resource, int index) => Snapshot(resource).Replicas[index];

    internal void Update(string resource, int index, Func<InstanceSnapshot, InstanceSnapshot> change)
    {
        // Health probes report the same state every second; only a change wakes the waiters and the status table.
        if (_resources[resource].Update(index, change))
        {
            Signal();
        }
    }

    internal void SetMessage(string resource, string? message)
    {
        _resources[resource].Message = message;
        Signal();
    }

    public async Task<ResourceSnapshot> WaitForResourceAsync(string name, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var next = NextChange;
            var snapshot = Snapshot(name);
            if (predicate(snapshot))
            {
                return snapshot;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    public Task<ResourceSnapshot> WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(name, s => s.Health == HealthStatus.Healthy && s.State == ResourceState.Healthy, cancellationToken);

    public Task<ResourceSnapshot> WaitForResourceAsync(string name, ResourceState state, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(name, s => s.State == state, cancellationToken);

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private sealed class ResourceEntry(string name, string type, int replicas)
    {
        private readonly InstanceSnapshot[] _instances = [.. Enumerable.Range(0, replicas)
            .Select(i => new InstanceSnapshot(replicas == 1 ? name : $"{name}-{i}", i, ResourceState.NotStarted, HealthStatus.Unknown, null, 0, null, []))];

        public string? Message { get; set; }

        /// <returns>Whether the replica's snapshot changed.</returns>
        public bool Update(int index, Func<InstanceSnapshot, InstanceSnapshot> change)
        {
            lock (_instances)
            {
                var updated = change(_instances[index]);
                var changed = !updated.Equals(_instances[index]);
                _instances[index] = updated;
                return changed;
            }
        }

        public ResourceSnapshot Snapshot()
        {
            lock (_instances)
            {
                return ResourceSnapshot.Aggregate(name, type, [.. _instances], Message);
            }
        }
    }
}

internal static class ResourceTypes
{
    public static string Of(IResource resource) => resource.GetType().Name.Replace("Resource", string.Empty, StringComparison.Ordinal) switch
    {
        "PostgresServer" => "Postgres",
        var other => other,
    };
}
