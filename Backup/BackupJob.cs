using System.Diagnostics;
using Microsoft.Extensions.Options;
using ServiceDefaults.Data;

namespace Backup;

/// <summary>
/// One backup: pg_dump to a private temporary file under the <see cref="SchemaLock"/> (shared), upload under a dated
/// name, then prune to the newest N.
/// </summary>
public sealed partial class BackupJob(
    PostgresTools postgres, BackupStore store, BackupMetrics metrics, IOptions<BackupOptions> options, TimeProvider time, ILogger<BackupJob> logger)
{
    /// <returns>The name of the backup taken.</returns>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var name = BackupStore.NameFor(time.GetUtcNow());
        var directory = Directory.CreateTempSubdirectory("readiness-backup-");
        try
        {
            var path = Path.Combine(directory.FullName, name);
            // Not while a migration or a restore runs: the dump holds table locks a migration would queue behind.
            await using (await SchemaLock.AcquireSharedAsync(postgres.ConnectionString, () => LogWaitingForMigration(logger, postgres.DatabaseName), cancellationToken))
            {
                await postgres.DumpAsync(path, cancellationToken);
            }

            var bytes = new FileInfo(path).Length;
            await store.UploadAsync(name, path, cancellationToken);
            var pruned = await store.PruneAsync(options.Value.Keep, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            metrics.Succeeded(BackupStore.TakenAt(name)!.Value, bytes, seconds);
            LogBackedUp(logger, postgres.DatabaseName, name, bytes, seconds, pruned.Count, options.Value.Keep);
            return name;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            metrics.Failed(exception);
            LogFailed(logger, exception, postgres.DatabaseName, exception.Message);
            throw;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backed up database {Database} to {Backup} ({Bytes} bytes in {Seconds:0.0} s); pruned {Pruned} to keep {Keep}.")]
    private static partial void LogBackedUp(ILogger logger, string database, string backup, long bytes, double seconds, int pruned, int keep);

    [LoggerMessage(Level = LogLevel.Information, Message = "A migration or a restore holds database {Database}'s schema lock; backing up once it ends")]
    private static partial void LogWaitingForMigration(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup of database {Database} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string database, string reason);
}
