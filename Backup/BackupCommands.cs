using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using ServiceDefaults.Data;

namespace Backup;

/// <summary>
/// The operator's commands, each one line on success and one line on error, with a non-zero exit:
/// <c>backup</c> (take one now), <c>list</c>, and <c>restore NAME</c> (into an empty database).
/// </summary>
public static class BackupCommands
{
    /// <summary>Any first argument that is not an option names a command: a mistyped one gets the usage, not the worker.</summary>
    public static bool IsRequested(string[] args) => args is [var first, ..] && !first.StartsWith('-');

    /// <summary>The command from a terminal or a job runner: SIGINT and SIGTERM stop it, and what it started, cleanly.</summary>
    public static async Task<int> RunFromConsoleAsync(IServiceProvider services, string[] args)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await RunAsync(services, args, Console.Out, Console.Error, stop.Token);
    }

    /// <returns>0 on success, 1 when the command failed, 2 on bad usage.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            switch (args)
            {
                case ["backup"]:
                    await output.WriteLineAsync($"Backed up to {await services.GetRequiredService<BackupJob>().RunAsync(cancellationToken)}");
                    return 0;
                case ["list"]:
                    foreach (var (name, takenAt, bytes) in await services.GetRequiredService<BackupStore>().ListAsync(cancellationToken))
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}\t{takenAt:O}\t{bytes}"));
                    }

                    return 0;
                case ["restore", var name]:
                    await output.WriteLineAsync(await RestoreAsync(services, name, cancellationToken));
                    return 0;
                default:
                    await error.WriteLineAsync("Usage: Backup backup | list | restore <backup-name>");
                    return 2;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"'{args[0]}' was stopped before it finished (a restore rolls back and changes nothing).");
            return 1;
        }
        catch (Exception exception) when (exception is BackupException or NpgsqlException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(exception.Message.ReplaceLineEndings(" "));
            return 1;
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            // The SDK's retries end in an AggregateException of every attempt's failure: the first one says why.
            var reason = exception is AggregateException aggregate ? aggregate.InnerExceptions[0].Message : exception.Message;
            await error.WriteLineAsync($"The backup store could not be used: {reason.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    /// <summary>
    /// Checks everything that can be checked before touching the database (it is empty; the backup exists and is a
    /// whole archive), then restores in one transaction, so a failure at any step leaves the database as it was.
    /// </summary>
    private static async Task<string> RestoreAsync(IServiceProvider services, string name, CancellationToken cancellationToken)
    {
        var postgres = services.GetRequiredService<PostgresTools>();
        var store = services.GetRequiredService<BackupStore>();
        if (BackupStore.TakenAt(name) is null)
        {
            throw new BackupException($"'{name}' is not a backup name (readiness-<yyyyMMddTHHmmssfffZ>.dump); see the list command.");
        }

        // Held to the end: no migration makes tables, and no backup dumps, between the check and the restore.
        await using var schemaLock = await SchemaLock.AcquireExclusiveAsync(postgres.ConnectionString, cancellationToken: cancellationToken);
        var existing = await postgres.CountRelationsAsync(cancellationToken);
        if (existing > 0)
        {
            throw new BackupException($"Database '{postgres.DatabaseName}' is not empty ({existing} tables, views or sequences); restore needs an empty one: drop and create it, then restore again. Nothing was changed.");
        }

        var directory = Directory.CreateTempSubdirectory("readiness-restore-");
        try
        {
            var path = Path.Combine(directory.FullName, name);
            if (!await store.DownloadAsync(name, path, cancellationToken))
            {
                throw new BackupException($"No backup named '{name}' in the backup store; see the list command. Nothing was changed.");
            }

            try
            {
                await postgres.ListAsync(path, cancellationToken);
            }
            catch (BackupException exception)
            {
                throw new BackupException($"Backup '{name}' is not a readable pg_dump archive ({exception.Message}). Nothing was changed.", exception);
            }

            try
            {
                await postgres.RestoreAsync(path, cancellationToken);
            }
            catch (BackupException exception)
            {
                throw new BackupException($"Restoring '{name}' failed and was rolled back ({exception.Message}). Nothing was changed.", exception);
            }

            return $"Restored {name} into database '{postgres.DatabaseName}' ({await postgres.CountRelationsAsync(cancellationToken)} tables, views and sequences).";
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
