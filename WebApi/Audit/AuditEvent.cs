namespace WebApi.Audit;

/// <summary>One write, as it happened. Rows are only ever inserted: a trigger in the database refuses updates and deletes.</summary>
public sealed class AuditEvent
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string? ActorId { get; init; }

    /// <summary>What was done, e.g. <c>service.updated</c>.</summary>
    public required string Action { get; init; }

    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public Guid? TeamId { get; init; }
    public Guid? ServiceId { get; init; }
    public Guid? ReviewId { get; init; }

    /// <summary>The entity as JSON before and after the write; null where it did not exist.</summary>
    public string? Before { get; init; }

    public string? After { get; init; }
    public string? TraceId { get; init; }
}
