using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WebApi.Data;

public static class SchemaGateExtensions
{
    /// <summary>Holds the host's start until the database has the migrator's work (<see cref="SchemaGate"/>).</summary>
    public static IHostApplicationBuilder AddSchemaGate(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SchemaGateOptions>().BindConfiguration("Database");
        builder.Services.AddHostedService<SchemaGate>();
        return builder;
    }
}

/// <summary>Settings of section <c>Database</c> that the <see cref="SchemaGate"/> reads.</summary>
public sealed class SchemaGateOptions
{
    /// <summary>How long a replica waits for the migrator before its start fails. Two minutes by default.</summary>
    public TimeSpan SchemaWaitTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often it looks meanwhile.</summary>
    public TimeSpan SchemaPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// Holds a replica's start, before its hosted services start and before Kestrel listens, until the database has every
/// migration this build knows and a usable data-protection key: the migrator's work (<see cref="MigrationCommand"/>,
/// which makes the ring's first key last). So replicas can start beside the migrator rather than after it, yet never
/// serve against a schema older than their code, nor each make a first key of their own on an empty ring. A database
/// ahead of the build (a newer migration, during a rolling deploy) does not hold it. A database that cannot be reached
/// does not either: the replica starts as before and its readiness check reports the database down.
/// </summary>
internal sealed partial class SchemaGate(
    IDbContextFactory<ReadinessDbContext> contexts,
    IKeyManager keys,
    IOptions<SchemaGateOptions> options,
    TimeProvider time,
    ILogger<SchemaGate> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        string? waitingFor = null;
        while (await MissingAsync(cancellationToken) is { } missing)
        {
            if (missing != waitingFor)
            {
                LogWaiting(logger, missing);
                waitingFor = missing;
            }

            if (time.GetElapsedTime(started) >= settings.SchemaWaitTimeout)
            {
                throw new InvalidOperationException(
                    $"The database is not ready for this build after {settings.SchemaWaitTimeout}: {missing}. Run `WebApi migrate` (the AppHost's migrator) against it.");
            }

            await Task.Delay(settings.SchemaPollInterval, time, cancellationToken);
        }

        if (waitingFor is not null)
        {
            var waited = time.GetElapsedTime(started);
            LogReady(logger, waited.TotalSeconds);
        }
    }

    /// <returns>What the migrator has still to do, or null when nothing is (or the database cannot be reached).</returns>
    private async Task<string?> MissingAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Opened directly, not through EF Core's retry strategy: an unreachable server must not hold the start for
        // the retries' delays.
        try
        {
            await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return "the database does not exist yet";
        }
        catch (NpgsqlException exception)
        {
            LogUnreachable(logger, exception.Message);
            return null;
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            return $"{pending.Count} migration(s) not applied, the last {pending[^1]}";
        }

        return keys.HasUsableKey(time.GetUtcNow()) ? null : "the data-protection key ring has no usable key yet";
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the migrator: {Missing}.")]
    private static partial void LogWaiting(ILogger logger, string missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database is ready for this build after {Seconds:0.00} s.")]
    private static partial void LogReady(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting without checking the schema: the database cannot be reached ({Reason}).")]
    private static partial void LogUnreachable(ILogger logger, string reason);
}
