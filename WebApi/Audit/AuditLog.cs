using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WebApi.Data;

namespace WebApi.Audit;

/// <summary>
/// Adds the audit event to the same unit of work as the change it describes, so both are saved or neither is; the
/// save inserts it after the change (see <see cref="ReadinessDbContext.SaveChangesAsync(bool, CancellationToken)"/>).
/// </summary>
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

    /// <summary>Inserts the event (its chain fields are the trigger's) and returns its id.</summary>
    public static async Task<long> InsertAsync(DatabaseFacade database, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(auditEvent);
        // Typed by casts: a null parameter has no type. Not composable (an INSERT), so read as a list.
        var ids = await database.SqlQuery<long>($"""
            INSERT INTO "AuditEvents" ("At", "ActorId", "Action", "EntityType", "EntityId", "TeamId", "ServiceId", "ReviewId", "Before", "After", "TraceId")
            VALUES ({auditEvent.At}::timestamptz, {auditEvent.ActorId}::varchar, {auditEvent.Action}::varchar, {auditEvent.EntityType}::varchar,
                {auditEvent.EntityId}::varchar, {auditEvent.TeamId}::uuid, {auditEvent.ServiceId}::uuid, {auditEvent.ReviewId}::uuid,
                {auditEvent.Before}::jsonb, {auditEvent.After}::jsonb, {auditEvent.TraceId}::varchar)
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);
        return ids.Single();
    }

    private static string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), JsonSerializerOptions.Web);
}
