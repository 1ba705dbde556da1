using Microsoft.EntityFrameworkCore;
using WebApi.Data;

namespace WebApi.Scans;

/// <summary>
/// Deletes the finished scans older than <see cref="ScanOptions.RetentionDays"/> that nothing needs any more. Every
/// environment keeps its latest completed scan (its grade: the service list's, the gate's, the gauges'), and after it
/// its latest failed one; a scan a review item's observation cites stays as long as the observation does, so a
/// completed review's evidence is never taken from it.
/// </summary>
public static class ScanRetention
{
    /// <summary>Rows one statement deletes: short transactions, so the queue's and the scheduler's writes never wait long.</summary>
    public const int BatchSize = 500;

    /// <summary>Deletes in batches until no scan is left to delete; how many were.</summary>
    public static async Task<int> PruneAsync(ReadinessDbContext db, DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var deleted = 0;
        int batch;
        do
        {
            // A scan goes once a later one of its environment says as much: a later completed one, or for a failed
            // scan any later finished one. SKIP LOCKED: replicas that prune together split the work.
            batch = await db.Database.ExecuteSqlAsync($"""
                DELETE FROM "Scans" WHERE "Id" IN (
                    SELECT s."Id" FROM "Scans" s
                    WHERE s."FinishedAt" < {finishedBefore} AND s."Status" IN ('Completed', 'Failed')
                      AND EXISTS (
                          SELECT 1 FROM "Scans" later
                          WHERE (later."ServiceId" = s."ServiceId" OR later."ServiceId" IS NULL AND s."ServiceId" IS NULL)
                            AND later."Environment" = s."Environment" AND later."FinishedAt" > s."FinishedAt"
                            AND (later."Status" = 'Completed' OR s."Status" = 'Failed' AND later."Status" = 'Failed'))
                      AND NOT EXISTS (SELECT 1 FROM "ScanObservations" o WHERE o."ScanId" = s."Id")
                    ORDER BY s."FinishedAt"
                    LIMIT {BatchSize}
                    FOR UPDATE SKIP LOCKED)
                """, cancellationToken);
            deleted += batch;
        }
        while (batch == BatchSize);

        return deleted;
    }
}
