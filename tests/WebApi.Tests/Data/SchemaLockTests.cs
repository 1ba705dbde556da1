using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReadinessAspire.Testing;
using ServiceDefaults.Data;
using WebApi.Data;

namespace WebApi.Tests.Data;

/// <summary>
/// Migrations and backups take turns on the schema lock, against a real PostgreSQL, each test on a database of its own:
/// backups share it, a migration holds it alone and waits for the backups that hold it.
/// </summary>
public sealed class SchemaLockTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Backups_share_the_lock_and_a_migration_waits_for_them_to_end()
    {
        var connectionString = await NewDatabaseAsync();
        await using var first = await SchemaLock.AcquireSharedAsync(connectionString).WaitAsync(Timeout);
        await using var second = await SchemaLock.AcquireSharedAsync(connectionString).WaitAsync(Timeout);

        var told = new TaskCompletionSource();
        var migration = SchemaLock.AcquireExclusiveAsync(connectionString, () => told.TrySetResult());
        await AdvisoryLockWaiters.WaitForOneAsync(connectionString, Timeout);
        Assert.True(told.Task.IsCompleted, "the migration was not told that it waits");
        await second.DisposeAsync();
        await AdvisoryLockWaiters.WaitForOneAsync(connectionString, Timeout);
        Assert.False(migration.IsCompleted, "the migration took the lock while a backup held it");

        await first.DisposeAsync();
        await using var held = await migration.WaitAsync(Timeout);
        var backup = SchemaLock.AcquireSharedAsync(connectionString);
        await AdvisoryLockWaiters.WaitForOneAsync(connectionString, Timeout);
        Assert.False(backup.IsCompleted, "a backup took the lock while a migration held it");
        await held.DisposeAsync();
        await (await backup.WaitAsync(Timeout)).DisposeAsync();
    }

    [Fact]
    public async Task Waiting_for_the_lock_ends_when_the_caller_cancels_and_leaves_it_free()
    {
        var connectionString = await NewDatabaseAsync();
        await using var backup = await SchemaLock.AcquireSharedAsync(connectionString).WaitAsync(Timeout);
        using var cancel = new CancellationTokenSource();
        var migration = SchemaLock.AcquireExclusiveAsync(connectionString, cancellationToken: cancel.Token);
        await AdvisoryLockWaiters.WaitForOneAsync(connectionString, Timeout);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migration.WaitAsync(Timeout));
        await backup.DisposeAsync();
        await (await SchemaLock.AcquireExclusiveAsync(connectionString).WaitAsync(Timeout)).DisposeAsync();
    }

    [Fact]
    public async Task The_migrator_migrates_only_once_a_running_backup_has_ended()
    {
        var connectionString = await NewDatabaseAsync();
        using var host = MigratorHost.Build(connectionString);
        await using var backup = await SchemaLock.AcquireSharedAsync(connectionString).WaitAsync(Timeout);

        var migrating = MigrationCommand.RunAsync(host.Services);
        await AdvisoryLockWaiters.WaitForOneAsync(connectionString, Timeout);
        Assert.False(migrating.IsCompleted, "the migrator finished while a backup held the lock");
        Assert.Equal(0L, await CountTablesAsync(connectionString));

        await backup.DisposeAsync();
        Assert.Equal(0, await migrating.WaitAsync(Timeout));
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task The_migrator_makes_a_missing_database_then_migrates_it_and_says_so_last()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = NewName() }.ConnectionString;
        var lines = new MessageCollector();
        using var host = MigratorHost.Build(connectionString, lines);

        Assert.Equal(0, await MigrationCommand.RunAsync(host.Services).WaitAsync(Timeout));
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        // The AppHost starts what waits for the migrator on this line (AppHost.Tests checks it names the same text).
        Assert.Equal(MigrationCommand.DoneLine, lines.Messages.Last(m => m.Category == typeof(MigrationCommand).FullName).Message);
        // Nothing went wrong, so nothing says so: an error here would page whoever alerts on the deployment's errors.
        Assert.DoesNotContain(lines.Messages, m => m.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task The_migrator_logs_no_error_and_no_EF_Core_warning_migrating_and_seeding_an_empty_database_the_orchestrator_made()
    {
        var connectionString = await NewDatabaseAsync();
        var lines = new MessageCollector();
        using var host = MigratorHost.Build(connectionString, lines, demoData: true);

        Assert.Equal(0, await MigrationCommand.RunAsync(host.Services).WaitAsync(Timeout));
        Assert.DoesNotContain(lines.Messages, m => m.Level >= LogLevel.Error);
        // Not every warning: this host has no certificate to encrypt the key ring with (the AppHost gives one), and
        // the data-protection stack says so.
        Assert.DoesNotContain(lines.Messages, m => m.Level == LogLevel.Warning && m.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.Contains(lines.Messages, m => m.Message == "Demo data is present (Seed:DemoData)");
        Assert.Equal(MigrationCommand.DoneLine, lines.Messages.Last(m => m.Category == typeof(MigrationCommand).FullName).Message);
    }

    private static string NewName() => "lock_" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> NewDatabaseAsync()
    {
        var name = NewName();
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<long> CountTablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
