using Cronos;
using Microsoft.Extensions.Options;

namespace Backup;

/// <summary>
/// Backs up on <see cref="BackupOptions.Schedule"/>, and at start when asked or when the newest backup is older than
/// one interval of the schedule. A failed attempt is retried after a minute, up to the next scheduled run.
/// </summary>
public sealed partial class BackupWorker(
    BackupJob job, BackupStore store, BackupMetrics metrics, IOptions<BackupOptions> options, IHostEnvironment environment,
    TimeProvider time, ILogger<BackupWorker> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = CronExpression.Parse(options.Value.Schedule);
        var newest = await NewestAsync(stoppingToken);
        var now = time.GetUtcNow();
        var interval = Interval(schedule, now);
        var atStart = options.Value.AtStart ?? (environment.IsDevelopment() || newest is null || now - newest > interval);
        LogStarted(logger, options.Value.Schedule, newest, atStart);

        var next = atStart ? now : schedule.GetNextOccurrence(now, TimeZoneInfo.Utc)!.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = next - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }

            var scheduled = schedule.GetNextOccurrence(time.GetUtcNow(), TimeZoneInfo.Utc)!.Value;
            try
            {
                await job.RunAsync(stoppingToken);
                next = scheduled;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Logged and counted by the job; try again soon, but never past the next regular run.
                var retry = time.GetUtcNow() + RetryDelay;
                next = retry < scheduled ? retry : scheduled;
            }
        }
    }

    private async Task<DateTimeOffset?> NewestAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var backups = await store.ListAsync(cancellationToken);
                if (backups.Count == 0)
                {
                    return null;
                }

                metrics.Found(backups[^1].TakenAt);
                return backups[^1].TakenAt;
            }
            catch (Exception exception) when (exception is Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
                LogStoreUnavailable(logger, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
            }
        }
    }

    private static TimeSpan Interval(CronExpression schedule, DateTimeOffset now)
    {
        var first = schedule.GetNextOccurrence(now, TimeZoneInfo.Utc)!.Value;
        return schedule.GetNextOccurrence(first, TimeZoneInfo.Utc)!.Value - first;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backups on schedule '{Schedule}' (UTC); newest backup: {Newest}; backing up at start: {AtStart}.")]
    private static partial void LogStarted(ILogger logger, string schedule, DateTimeOffset? newest, bool atStart);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The backup store did not answer ({Reason}); trying again in 5 s.")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);
}
