using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebApi.Data;

namespace WebApi.Tests.Data;

/// <summary>
/// How WebApi's wiring (<see cref="DatabaseExtensions.AddReadinessDatabase"/>) hands a pooled connection from one
/// context to the next, against a real PostgreSQL, on a pool of one connection so both contexts share it.
/// </summary>
public sealed class PooledConnectionTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_pooled_connection_is_handed_on_without_a_reset_of_its_session()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();

        await using (var first = await contexts.CreateDbContextAsync())
        {
            // A session setting, which Npgsql's reset on close (RESET ALL) would clear before the next use.
            var set = await first.Database.SqlQuery<string>($"""SELECT set_config('readiness.probe', 'kept', false) AS "Value" """).SingleAsync();
            Assert.Equal("kept", set);
        }

        await using var second = await contexts.CreateDbContextAsync();
        var seen = await second.Database.SqlQuery<string>($"""SELECT coalesce(current_setting('readiness.probe', true), '') AS "Value" """).SingleAsync();
        Assert.Equal("kept", seen);
    }

    [Fact]
    public async Task An_uncommitted_transaction_is_rolled_back_before_the_connection_is_used_again()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();

        await using (var first = await contexts.CreateDbContextAsync())
        {
            await first.Database.ExecuteSqlAsync($"CREATE TABLE IF NOT EXISTS pooled_probe (id int)");
            // A transaction EF Core does not know of, so that only Npgsql's return of the connection can end it.
            await first.Database.OpenConnectionAsync();
            await first.Database.ExecuteSqlAsync($"BEGIN");
            await first.Database.ExecuteSqlAsync($"INSERT INTO pooled_probe VALUES (1)");
        }

        await using var second = await contexts.CreateDbContextAsync();
        var inTransaction = await second.Database.SqlQuery<bool>($"""SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS "Value" """).SingleAsync();
        var rows = await second.Database.SqlQuery<int>($"""SELECT count(*)::int AS "Value" FROM pooled_probe""").SingleAsync();
        Assert.False(inTransaction);
        Assert.Equal(0, rows);
    }
}
