using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebApi.Data;

namespace WebApi.Scans;

/// <summary>
/// Queues the deployment's scan of itself after start and on <see cref="ScanOptions.SelfScanSchedule"/>, rescans every
/// registered environment on <see cref="ScanOptions.RescanSchedule"/>, refreshes the scan gauges, and each hour deletes
/// the scans <see cref="ScanRetention"/> no longer keeps. Every replica runs it; a PostgreSQL advisory lock and "nothing
/// queued since this occurrence" make each occurrence queue once.
/// </summary>
public sealed partial class ScanScheduler(
    IDbContextFactory<ReadinessDbContext> contextFactory,
    ScanQueue queue,
    ScanMetrics metrics,
    SelfScanTarget self,
    IOptions<ScanOptions> options,
    TimeProvider time,
    ILogger<ScanScheduler> logger) : BackgroundService
{
    public const string SelfEnvironment = "self";

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    // Any constant both replicas agree on; it only names the lock.
    private const long ScheduleLockKey = 0x5ca45ced;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rescan = CronExpression.Parse(options.Value.RescanSchedule);
        var selfScan = CronExpression.Parse(options.Value.SelfScanSchedule);
        var selfTarget = self.Target;
        if (selfTarget is null)
        {
            LogNoSelfScan();
        }

        var startedAt = time.GetUtcNow();
        // The replica's start, and the deployment's, come first: its public URL does not answer before them.
        if (!await DelayAsync(options.Value.StartDelay, stoppingToken))
        {
            return;
        }

        var last = startedAt;
        // Until a self-scan completes after this start, one is queued each minute for a while: the public URL (the
        // proxy) usually comes up after the services do, so the first attempt may find nothing there.
        var afterStartRetryOver = selfTarget is null;
        DateTimeOffset? prunedAt = null;
        using var timer = new PeriodicTimer(Tick, time);
        do
        {
            var now = time.GetUtcNow();
            try
            {
                if (!afterStartRetryOver)
                {
                    afterStartRetryOver = await CompletedSinceAsync(selfTarget!, startedAt, stoppingToken);
                    if (!afterStartRetryOver && now - startedAt > options.Value.SelfScanRetryWindow)
                    {
                        LogSelfScanRetryEnded(options.Value.SelfScanRetryWindow, selfTarget!.TargetUrl);
                        afterStartRetryOver = true;
                    }
                    else if (!afterStartRetryOver)
                    {
                        // Once a minute for the whole deployment, however many replicas start together.
                        await QueueUnlessQueuedSinceAsync([selfTarget!], now - TimeSpan.FromMinutes(1), ScanTrigger.SelfScan, stoppingToken);
                    }
                }

                if (selfTarget is not null && selfScan.GetNextOccurrence(last.UtcDateTime) is { } selfDue && selfDue <= now.UtcDateTime)
                {
                    await QueueUnlessQueuedSinceAsync([selfTarget], selfDue, ScanTrigger.SelfScan, stoppingToken);
                }

                if (rescan.GetNextOccurrence(last.UtcDateTime) is { } rescanDue && rescanDue <= now.UtcDateTime)
                {
                    await QueueRescansAsync(rescanDue, stoppingToken);
                }

                last = now;
                metrics.Update(await LatestAsync(stoppingToken));
                if (prunedAt is null || now - prunedAt >= PruneInterval)
                {
                    await PruneAsync(now, stoppingToken);
                    prunedAt = now;
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away; the next tick tries again from the same point.
                LogScheduleFailed(exception);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> CompletedSinceAsync(ScanRequestTarget target, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Scans.AnyAsync(s => s.TargetUrl == target.TargetUrl && s.Status == ScanStatus.Completed && s.FinishedAt >= since, cancellationToken);
    }

    private async Task QueueRescansAsync(DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        List<ScanRequestTarget> targets;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var services = await db.Services.AsNoTracking().Select(s => new { s.Id, s.Environments }).ToListAsync(cancellationToken);
            // An environment stored before its escaped URL had to fit the column would fail the whole batch, every tick.
            targets = [.. services
                .SelectMany(s => s.Environments.Select(e => new ScanRequestTarget(s.Id, e.Name, ScanTargets.Normalize(e.BaseUrl), e.Profile)))
                .Where(target => target.TargetUrl.Length <= Limits.Url)];
        }

        LogRescanning(targets.Count, occurrence);
        await QueueUnlessQueuedSinceAsync(targets, occurrence, ScanTrigger.Schedule, cancellationToken);
    }

    private async Task QueueUnlessQueuedSinceAsync(
        IReadOnlyList<ScanRequestTarget> targets, DateTimeOffset since, ScanTrigger trigger, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            // Replicas tick together: the lock makes them take turns, and the check below makes the later ones see the earlier one's rows.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ScheduleLockKey})", token);
            var now = time.GetUtcNow();
            foreach (var target in targets)
            {
                var queuedSince = await db.Scans.AnyAsync(s => s.ServiceId == target.ServiceId && s.TargetUrl == target.TargetUrl && s.QueuedAt >= since, token);
                if (!queuedSince)
                {
                    // Null when the service was deleted since its targets were read: the others are queued all the same.
                    await queue.EnqueueAsync(target.ToScan(trigger, requestedBy: null, now), token);
                }
            }

            await transaction.CommitAsync(token);
        }, cancellationToken);
    }

    private async Task PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var days = options.Value.RetentionDays;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await ScanRetention.PruneAsync(db, now - TimeSpan.FromDays(days), cancellationToken) is > 0 and var deleted)
        {
            LogPruned(deleted, days);
        }
    }

    private async Task<IReadOnlyList<LatestScan>> LatestAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.Scans.AsNoTracking()
            .Where(s => s.Status == ScanStatus.Completed && s.Environment != ScanTargets.AdHocEnvironment)
            .GroupBy(s => new { s.ServiceId, s.Environment })
            // The columns the gauges show, not the whole row: every tick, each replica reads one scan per environment,
            // and a row holds the scan's whole report.
            .Select(g => g.OrderByDescending(s => s.FinishedAt)
                .Select(s => new { s.ServiceId, s.Environment, s.Score, s.Grade, s.ProfileGrade, s.ChecklistPassed, s.ChecklistTotal })
                .First())
            .ToListAsync(cancellationToken);
        var serviceIds = latest.Where(s => s.ServiceId is not null).Select(s => s.ServiceId!.Value).Distinct().ToList();
        var slugs = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Slug, cancellationToken);
        return [.. latest
            .Where(s => s.ServiceId is null || slugs.ContainsKey(s.ServiceId.Value))
            .Select(s => new LatestScan(
                s.ServiceId is { } id ? slugs[id] : SelfEnvironment, s.Environment, s.Score ?? 0, s.Grade ?? "F", s.ProfileGrade ?? "F",
                s.ChecklistPassed ?? 0, s.ChecklistTotal ?? 0))];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scan schedule could not run; it tries again on the next tick")]
    private partial void LogScheduleFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No public URL (Scans:SelfUrl or PublicOrigin): the deployment does not scan itself")]
    private partial void LogNoSelfScan();

    [LoggerMessage(Level = LogLevel.Warning, Message = "No scan of {TargetUrl} completed within {Window} of the start; it is scanned on its schedule from now on (is Scans:SelfUrl or PublicOrigin right?)")]
    private partial void LogSelfScanRetryEnded(TimeSpan window, string targetUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} scans finished over {Days} days ago that no grade or review needs")]
    private partial void LogPruned(int count, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rescanning {Count} environments for the occurrence at {Occurrence}")]
    private partial void LogRescanning(int count, DateTimeOffset occurrence);
}
