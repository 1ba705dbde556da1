using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WebApi.Data;

namespace WebApi.Scans;

/// <summary>
/// The durable queue of scans in PostgreSQL. A scan is queued by inserting its row, claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> (every replica's worker can claim, none claims the same row), and owned through a
/// lease the worker renews: when a worker dies mid-scan its lease lapses and another claims the scan again.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue, of scans in PostgreSQL.")]
public sealed class ScanQueue(IDbContextFactory<ReadinessDbContext> contextFactory, TimeProvider time, Microsoft.Extensions.Options.IOptions<ScanOptions> options)
{
    /// <summary>The partial unique index that keeps one queued or running scan per service and target.</summary>
    public const string OneActivePerTargetIndex = "IX_Scans_OneActivePerTarget";

    private const string ServiceForeignKey = "FK_Scans_Services_ServiceId";

    // Wakes this replica's worker at once when a scan is queued here; other replicas find it on their next poll.
    private readonly Channel<bool> queued = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public ChannelReader<bool> Signals => queued.Reader;

    /// <summary>
    /// Queues a scan of <paramref name="candidate"/>'s target, or returns the same service's scan of that target
    /// already queued or running (<c>Created</c> false); null, with nothing queued, when the service was deleted meanwhile.
    /// </summary>
    public async Task<(Scan Scan, bool Created)?> EnqueueAsync(Scan candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        for (var attempt = 0; ; attempt++)
        {
            if (await FindActiveAsync(candidate.ServiceId, candidate.TargetUrl, cancellationToken) is { } active)
            {
                return (active, false);
            }

            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            db.Scans.Add(candidate);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                queued.Writer.TryWrite(true);
                return (candidate, true);
            }
            catch (DbUpdateException exception) when (attempt < 3 && exception.InnerException is PostgresException
            {
                SqlState: PostgresErrorCodes.UniqueViolation,
                ConstraintName: OneActivePerTargetIndex,
            })
            {
                // Another request queued the same service's target between our look and our insert: answer with theirs.
                db.Entry(candidate).State = EntityState.Detached;
            }
            catch (DbUpdateException exception) when (exception.InnerException is PostgresException
            {
                SqlState: PostgresErrorCodes.ForeignKeyViolation,
                ConstraintName: ServiceForeignKey,
            })
            {
                // The service was deleted after the caller read it, and its scans with it: there is nothing to scan, and
                // trying again would only fail again.
                return null;
            }
        }
    }

    /// <summary>
    /// The queued or running scan of <paramref name="targetUrl"/> for this service (null: the deployment's self-scan).
    /// Per service, not per URL: another team's scan of the same URL is neither theirs to see nor a scan of their service.
    /// </summary>
    public async Task<Scan?> FindActiveAsync(Guid? serviceId, string targetUrl, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Scans.AsNoTracking()
            .Where(s => s.ServiceId == serviceId && s.TargetUrl == targetUrl && (s.Status == ScanStatus.Queued || s.Status == ScanStatus.Running))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Claims the oldest queued scan, or one whose worker's lease lapsed; null when there is none.</summary>
    public async Task<Scan?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var leaseUntil = now + options.Value.Lease;
        var token = Guid.NewGuid();
        var claimed = await db.Scans.FromSql($"""
            UPDATE "Scans" SET "Status" = 'Running', "StartedAt" = {now}, "LeaseUntil" = {leaseUntil},
                "ClaimToken" = {token}, "Attempts" = "Attempts" + 1
            WHERE "Id" = (
                SELECT "Id" FROM "Scans"
                WHERE "Status" = 'Queued' OR ("Status" = 'Running' AND "LeaseUntil" < {now})
                ORDER BY "QueuedAt"
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        return claimed.SingleOrDefault();
    }

    /// <summary>Extends the lease; false when the claim was lost (taken over after a lapse, or the scan was deleted).</summary>
    public async Task<bool> RenewAsync(long scanId, Guid claimToken, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var leaseUntil = time.GetUtcNow() + options.Value.Lease;
        return await db.Scans.Where(s => s.Id == scanId && s.ClaimToken == claimToken && s.Status == ScanStatus.Running)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LeaseUntil, leaseUntil), cancellationToken) == 1;
    }

    /// <summary>Hands a claimed scan back to the queue (this replica is stopping); it does not count as an attempt.</summary>
    public async Task ReleaseAsync(long scanId, Guid claimToken, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.Scans.Where(s => s.Id == scanId && s.ClaimToken == claimToken && s.Status == ScanStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Status, ScanStatus.Queued)
                .SetProperty(s => s.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(s => s.ClaimToken, (Guid?)null)
                .SetProperty(s => s.Attempts, s => s.Attempts - 1), cancellationToken);
    }
}
