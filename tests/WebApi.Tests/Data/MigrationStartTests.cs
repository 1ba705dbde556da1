using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ReadinessAspire.Testing;
using WebApi.Data;

namespace WebApi.Tests.Data;

/// <summary>
/// The AppHost starts the migrator beside PostgreSQL, not once PostgreSQL is healthy: the migrator waits for the server
/// itself. A server of this class's own, since the test stops it.
/// </summary>
public sealed class MigrationStartTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_migrator_started_before_PostgreSQL_waits_for_it_then_makes_the_database_and_migrates()
    {
        await server.StopAsync();
        var port = FreeLoopbackPorts.One();
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = port, Database = "early_" + Guid.NewGuid().ToString("N")[..12] }.ConnectionString;
        var lines = new MessageCollector();
        using var host = MigratorHost.Build(connectionString, lines);

        var migrating = MigrationCommand.RunAsync(host.Services);
        await lines.WaitForAsync(m => m.Message.StartsWith("PostgreSQL is not accepting connections yet", StringComparison.Ordinal), Timeout);
        Assert.False(migrating.IsCompleted, "the migrator ended while PostgreSQL was down");

        await server.StartAsync(port);
        Assert.Equal(0, await migrating.WaitAsync(Timeout));
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(MigrationCommand.DoneLine, lines.Messages.Last(m => m.Category == typeof(MigrationCommand).FullName).Message);
    }
}
