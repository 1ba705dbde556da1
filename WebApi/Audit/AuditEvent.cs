namespace WebApi.Audit;

/// <summary>
/// One write, as it happened. Rows are only ever inserted: a trigger in the database refuses updates and deletes.
/// Each row is a link in its scope's hash chain (see <see cref="AuditChain"/>): <see cref="Sequence"/>,
/// <see cref="PreviousHash"/> and <see cref="Hash"/> are set by the database's insert trigger, never by the app.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string? ActorId { get; init; }

    /// <summary>What was done, e.g. <c>service.updated</c>.</summary>
    public required string Action { get; init; }

    public required string EntityType { get; init; }
    public required string EntityId { get; init; }

    /// <summary>The team the event belongs to, which is also its chain's scope; null for the global scope.</summary>
    public Guid? TeamId { get; init; }

    public Guid? ServiceId { get; init; }
    public Guid? ReviewId { get; init; }

    /// <summary>The entity as JSON before and after the write; null where it did not exist.</summary>
    public string? Before { get; init; }

    public string? After { get; init; }
    public string? TraceId { get; init; }

    /// <summary>The event's place in its scope's chain, from 1 without gaps. Set by the database on insert.</summary>
    public long Sequence { get; init; }

    /// <summary>The <see cref="Hash"/> of the scope's previous event; 32 zero bytes for its first. Set by the database on insert.</summary>
    public byte[] PreviousHash { get; init; } = [];

    /// <summary>SHA-256 of the event's canonical form, which includes <see cref="PreviousHash"/>. Set by the database on insert.</summary>
    public byte[] Hash { get; init; } = [];
}
