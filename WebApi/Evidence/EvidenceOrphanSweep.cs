using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebApi.Data;

namespace WebApi.Evidence;

/// <summary>
/// Deletes blobs that no row points to: left by a delete whose blob step failed, or an upload whose process died
/// between storing the file and writing its row. Only blobs older than <see cref="EvidenceOptions.OrphanAge"/>, so an
/// upload in flight is never touched. Replicas may sweep at once; deleting a blob twice is harmless.
/// </summary>
public sealed partial class EvidenceOrphanSweep(
    EvidenceStorage storage, IDbContextFactory<ReadinessDbContext> contextFactory, IOptions<EvidenceOptions> options,
    TimeProvider time, ILogger<EvidenceOrphanSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await SweepAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogSwept(logger, deleted);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed (the storage's retries spent end in an AggregateException, the database's in a
                // RetryLimitExceededException): an exception out of here would stop the host, and with it the replica.
                LogSweepFailed(logger, exception.GetType().Name, exception);
            }
        }
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.OrphanAge;
        var candidates = new List<string>();
        await foreach (var (name, createdOn) in storage.ListAsync(cancellationToken))
        {
            if (createdOn < cutoff)
            {
                candidates.Add(name);
            }
        }

        var deleted = 0;
        foreach (var batch in candidates.Chunk(500))
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var known = await db.EvidenceFiles.Where(e => batch.Contains(e.BlobName)).Select(e => e.BlobName).ToListAsync(cancellationToken);
            var orphans = batch.Except(known, StringComparer.Ordinal).ToList();
            await storage.DeleteManyAsync(orphans, cancellationToken);
            deleted += orphans.Count;
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} evidence blob(s) that no row pointed to.")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The evidence orphan sweep failed ({ExceptionType}); it runs again later.")]
    private static partial void LogSweepFailed(ILogger logger, string exceptionType, Exception exception);
}
