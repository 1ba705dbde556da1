using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Audit;

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset At, string? ActorId, string? ActorEmail, string Action, string EntityType, string EntityId,
    JsonElement? Before, JsonElement? After, string? TraceId);

/// <summary>Pages of the history, newest first; the features' <c>/history</c> routes call this after their access check.</summary>
public static class AuditQueries
{
    public static async Task<Page<AuditEntryResponse>> PageAsync(
        this ReadinessDbContext db, Expression<Func<AuditEvent, bool>> filter, PageQuery page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(page);
        var events = db.AuditEvents.AsNoTracking().Where(filter);
        var total = await events.CountAsync(cancellationToken);
        var rows = await events
            .OrderByDescending(e => e.Id)
            .Skip(page.Skip)
            .Take(page.Size)
            .Select(e => new { Event = e, Email = db.Users.Where(u => u.Id == e.ActorId).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        var items = rows.Select(row => new AuditEntryResponse(
            row.Event.Id, row.Event.At, row.Event.ActorId, row.Email, row.Event.Action, row.Event.EntityType, row.Event.EntityId,
            Parse(row.Event.Before), Parse(row.Event.After), row.Event.TraceId)).ToList();
        return new Page<AuditEntryResponse>(items, page.Number, page.Size, total);
    }

    private static JsonElement? Parse(string? json) =>
        json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
