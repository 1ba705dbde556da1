using System.Diagnostics;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceDefaults.Data;

namespace WebApi.Data;

/// <summary>
/// <c>WebApi migrate</c>: applies pending EF Core migrations and exits. The web host never migrates on its own,
/// so replicas starting together cannot race each other over the schema; the orchestrator runs this once, and each
/// replica waits until it is done (<see cref="SchemaGate"/>). It works under the <see cref="SchemaLock"/>, so no backup
/// runs beside it.
/// </summary>
public static partial class MigrationCommand
{
    public const string Verb = "migrate";

    /// <summary>The last line of a migration that succeeded (the AppHost's <c>WaitForMigration</c> waits for it).</summary>
    public const string DoneLine = "Migration done: the schema and the data-protection key are in place";

    /// <summary>How long to wait for PostgreSQL to accept connections, since it is often started moments before us.</summary>
    private static readonly TimeSpan ServerStartupWindow = TimeSpan.FromSeconds(30);

    /// <summary>Short: the orchestrator starts us beside PostgreSQL, and the migration is on the start's critical path.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>One line a second while we wait, not one per attempt.</summary>
    private const int AttemptsPerLogLine = 10;

    public static bool IsRequested(string[] args) => args is [Verb, ..];

    /// <returns>The process exit code: 0 when the schema is up to date, 1 otherwise.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MigrationCommand));
        try
        {
            var contextFactory = services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var connectionString = db.Database.GetConnectionString()!;

            var target = new NpgsqlConnectionStringBuilder(connectionString);
            LogMigrating(logger, target.Database, target.Host, target.Port);
            if (!await WaitForServerAsync(connectionString, logger, cancellationToken))
            {
                await CreateDatabaseAsync(target, cancellationToken);
            }

            // Held until the key is made: a backup that starts meanwhile waits, and a running one is waited for.
            await using var schemaLock = await SchemaLock.AcquireExclusiveAsync(connectionString, () => LogWaitingForBackup(logger), cancellationToken);

            // EF Core reads the history table before it makes it, and logs the read of a missing table as an error
            // (dotnet/efcore#37328): made first, a new database's first migration logs no error that nothing caused.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.MigrateAsync(cancellationToken);

            if (pending.Count == 0)
            {
                LogUpToDate(logger);
            }
            else
            {
                LogApplied(logger, pending.Count, pending);
            }

            if (DemoData.IsEnabled(services.GetRequiredService<IConfiguration>(), services.GetRequiredService<IHostEnvironment>()))
            {
                await DemoData.SeedAsync(db, services.GetRequiredService<TimeProvider>(), cancellationToken);
                LogSeeded(logger);
            }

            // Last: replicas start beside the migrator and wait for the ring's first key (SchemaGate), so what comes
            // before it is in place when they serve.
            if (EnsureDataProtectionKey(services))
            {
                LogKeyCreated(logger);
            }

            // The AppHost starts what waits for the migrator on this line, before the exit and DCP's report of it.
            LogDone(logger);
            return 0;
        }
#pragma warning disable CA1031 // Any failure must become one line on stderr and a non-zero exit code.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"migrate: failed: {Describe(exception)}");
            return 1;
        }
    }

    /// <summary>
    /// Makes the key ring's first key when it has no usable one. Replicas that start together on an empty ring would
    /// each make their own and refuse each other's cookies and antiforgery tokens until they next read the ring; the
    /// migrator runs once, and the replicas wait for this key (<see cref="SchemaGate"/>).
    /// </summary>
    /// <returns>Whether a key was made.</returns>
    private static bool EnsureDataProtectionKey(IServiceProvider services)
    {
        var keys = services.GetRequiredService<IKeyManager>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (keys.HasUsableKey(now))
        {
            return false;
        }

        keys.CreateNewKey(now, now + services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime);
        return true;
    }

    /// <returns>Whether the database exists; the server accepts connections either way.</returns>
    private static async Task<bool> WaitForServerAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                return true;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                return false;
            }
            catch (NpgsqlException exception) when (exception.IsTransient && elapsed.Elapsed < ServerStartupWindow)
            {
                if (attempt % AttemptsPerLogLine == 1)
                {
                    LogServerNotReady(logger, attempt, exception.Message);
                }

                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Creates the database, which MigrateAsync would do, before the schema lock that lives in it. On a connection of
    /// its own, not EF Core's creator: the orchestrator makes the database too, often at the same moment, and EF Core
    /// would log the statement that lost that race as an error.
    /// </summary>
    private static async Task CreateDatabaseAsync(NpgsqlConnectionStringBuilder target, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Made meanwhile by another migrator or by the orchestrator, before this statement (duplicate database) or
            // while it ran (pg_database's unique name index): what we wanted.
        }
    }

    private static string Describe(Exception exception)
    {
        var message = exception.InnerException is { } inner
            ? $"{exception.Message} ({inner.Message})"
            : exception.Message;
        return message.ReplaceLineEndings(" ");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrating database {Database} on {Host}:{Port}")]
    private static partial void LogMigrating(ILogger logger, string? database, string? host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not accepting connections yet (attempt {Attempt}): {Reason}")]
    private static partial void LogServerNotReady(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A backup or a restore holds the schema lock; migrating once it ends")]
    private static partial void LogWaitingForBackup(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date; no migration was pending")]
    private static partial void LogUpToDate(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Made the data-protection key ring's first key")]
    private static partial void LogKeyCreated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data is present (Seed:DemoData)")]
    private static partial void LogSeeded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = DoneLine)]
    private static partial void LogDone(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} migration(s): {Migrations}")]
    private static partial void LogApplied(ILogger logger, int count, IReadOnlyList<string> migrations);
}
