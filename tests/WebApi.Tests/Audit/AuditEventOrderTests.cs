using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WebApi.Audit;
using WebApi.Data;
using WebApi.Teams;
using WebApi.Tests.Data;

namespace WebApi.Tests.Audit;

/// <summary>
/// <see cref="ReadinessDbContext"/> saves the audit events after the changes they describe, against a real
/// PostgreSQL: the scope's chain lock is the last one a save takes, and events stay pending as the rows do until their
/// transaction commits.
/// </summary>
public sealed class AuditEventOrderTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly ClaimsPrincipal Tester = new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "tester")], "test"));

    [Fact]
    public async Task A_save_holds_the_rows_it_changes_before_it_waits_for_the_audit_chain()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        var team = await CreateTeamAsync(contexts, "Before");

        // Another writer of the team holds its chain.
        await using var chain = await OpenAsync();
        await using var holding = await chain.BeginTransactionAsync();
        await ExecuteAsync(chain, $"SELECT pg_advisory_xact_lock(hashtext('AuditEvents'), hashtext('{team.Id}'))");

        var save = Task.Run(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync();
            var renamed = await db.Teams.SingleAsync(t => t.Id == team.Id);
            renamed.Name = "After";
            db.Record(Tester, "team.renamed", "team", team.Id.ToString(), new { Name = "Before" }, new { Name = "After" }, teamId: team.Id);
            await db.SaveChangesAsync();
        });
        await WaitForChainWaiterAsync(chain, save);

        // While the save waits for the chain, the team's row is already its own: nothing that holds the chain can be
        // waiting for a row the save holds unless the save had taken it first.
        await using (var other = await OpenAsync())
        {
            await using var transaction = await other.BeginTransactionAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(
                () => ExecuteAsync(other, $"""SELECT 1 FROM "Teams" WHERE "Id" = '{team.Id}' FOR UPDATE NOWAIT"""));
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, refused.SqlState);
        }

        await holding.CommitAsync();
        await save;
        await using var read = await contexts.CreateDbContextAsync();
        Assert.Equal("After", (await read.Teams.SingleAsync(t => t.Id == team.Id)).Name);
        var recorded = Assert.Single(await read.AuditEvents.Where(e => e.TeamId == team.Id).ToListAsync());
        Assert.Equal(("team.renamed", 1L), (recorded.Action, recorded.Sequence));
    }

    [Fact]
    public async Task Events_of_a_transaction_that_rolled_back_are_saved_with_its_changes_when_it_is_tried_again_and_once()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        await using (var migrate = await contexts.CreateDbContextAsync())
        {
            await migrate.Database.MigrateAsync();
        }

        await using var db = await contexts.CreateDbContextAsync();
        var team = NewTeam("Retried");
        db.Teams.Add(team);
        db.Record(Tester, "team.created", "team", team.Id.ToString(), null, new { team.Slug }, teamId: team.Id);

        // What a retrying strategy does after a transient failure: the changes of the attempt rolled back are saved
        // again, since they were not accepted. (User transactions run in the strategy, as the app's do.)
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using (var failed = await db.Database.BeginTransactionAsync())
            {
                Assert.Equal(2, await db.SaveChangesAsync(acceptAllChangesOnSuccess: false));
                await failed.RollbackAsync();
            }

            await using var retried = await db.Database.BeginTransactionAsync();
            Assert.Equal(2, await db.SaveChangesAsync(acceptAllChangesOnSuccess: false));
            await retried.CommitAsync();
        });
        db.ChangeTracker.AcceptAllChanges();

        var tracked = Assert.Single(db.ChangeTracker.Entries<AuditEvent>());
        Assert.Equal(EntityState.Unchanged, tracked.State);
        Assert.Equal(0, await db.SaveChangesAsync());
        await using var read = await contexts.CreateDbContextAsync();
        Assert.Single(await read.Teams.Where(t => t.Id == team.Id).ToListAsync());
        var recorded = Assert.Single(await read.AuditEvents.Where(e => e.TeamId == team.Id).ToListAsync());
        Assert.Equal((tracked.Entity.Id, 1L), (recorded.Id, recorded.Sequence));
    }

    private static Team NewTeam(string name) =>
        new() { Name = name, Slug = $"team-{Guid.NewGuid():N}"[..20], CreatedAt = DateTimeOffset.UtcNow };

    private static async Task<Team> CreateTeamAsync(IDbContextFactory<ReadinessDbContext> contexts, string name)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        var team = NewTeam(name);
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        return team;
    }

    /// <summary>Until a session other than <paramref name="holder"/> waits for an advisory lock (the chain's).</summary>
    private static async Task WaitForChainWaiterAsync(NpgsqlConnection holder, Task save)
    {
        for (var poll = 0; poll < 300; poll++)
        {
            Assert.False(save.IsCompleted, "The save finished while another writer held the team's audit chain.");
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> pg_backend_pid()", holder);
            if ((long)(await count.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The save never waited for the team's audit chain.");
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
