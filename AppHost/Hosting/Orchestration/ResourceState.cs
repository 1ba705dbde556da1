namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Lifecycle states, ordered from least to most settled for aggregating replicas.</summary>
public enum ResourceState
{
    FailedToStart,
    Exited,
    Unhealthy,
    Stopping,
    NotStarted,
    Waiting,
    Starting,
    Running,
    Healthy,
    Finished,
}

public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

public sealed record InstanceSnapshot(
    string Name,
    int Index,
    ResourceState State,
    HealthStatus Health,
    int? Pid,
    int Restarts,
    int? ExitCode,
    IReadOnlyList<string> Urls);

public sealed record ResourceSnapshot(
    string Name,
    string Type,
    ResourceState State,
    HealthStatus Health,
    IReadOnlyList<string> Urls,
    IReadOnlyList<int> Pids,
    int Restarts,
    string? Message,
    IReadOnlyList<InstanceSnapshot> Replicas)
{
    internal static ResourceSnapshot Aggregate(string name, string type, IReadOnlyList<InstanceSnapshot> replicas, string? message)
    {
        var state = replicas.Count == 0 ? ResourceState.NotStarted : replicas.Min(r => r.State);
        var health = replicas.Count > 0 && replicas.All(r => r.Health == HealthStatus.Healthy) ? HealthStatus.Healthy
            : replicas.Any(r => r.Health == HealthStatus.Unhealthy) ? HealthStatus.Unhealthy
            : HealthStatus.Unknown;
        return new ResourceSnapshot(
            name,
            type,
            state,
            health,
            [.. replicas.SelectMany(r => r.Urls)],
            [.. replicas.Where(r => r.Pid is not null).Select(r => r.Pid!.Value)],
            replicas.Sum(r => r.Restarts),
            message,
            replicas);
    }
}
