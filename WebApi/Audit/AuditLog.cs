using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using WebApi.Data;

namespace WebApi.Audit;

/// <summary>Adds the audit event to the same unit of work as the change it describes, so both are saved or neither is.</summary>
public static class AuditLog
{
    public static void Record(
        this ReadinessDbContext db,
        ClaimsPrincipal actor,
        string action,
        string entityType,
        string entityId,
        object? before,
        object? after,
        Guid? teamId = null,
        Guid? serviceId = null,
        Guid? reviewId = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.AuditEvents.Add(Describe(actor, action, entityType, entityId, before, after, teamId, serviceId, reviewId));
    }

    /// <summary>The event <see cref="Record"/> adds, for a write that inserts it with SQL of its own.</summary>
    public static AuditEvent Describe(
        ClaimsPrincipal actor,
        string action,
        string entityType,
        string entityId,
        object? before,
        object? after,
        Guid? teamId = null,
        Guid? serviceId = null,
        Guid? reviewId = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new AuditEvent
        {
            At = DateTimeOffset.UtcNow,
            ActorId = actor.FindFirstValue(ClaimTypes.NameIdentifier),
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            TeamId = teamId,
            ServiceId = serviceId,
            ReviewId = reviewId,
            Before = Serialize(before),
            After = Serialize(after),
            TraceId = Activity.Current?.TraceId.ToHexString(),
        };
    }

    private static string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), JsonSerializerOptions.Web);
}
