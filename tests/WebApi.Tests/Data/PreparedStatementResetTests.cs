using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WebApi.Data;
using WebApi.Teams;

namespace WebApi.Tests.Data;

/// <summary>
/// WebApi's database wiring (<see cref="DatabaseExtensions.AddReadinessDatabase"/>, automatic preparation on) against
/// a real PostgreSQL, on a pool of one connection so every command shares it. A statement is prepared on its fifth
/// use; if that use fails, Npgsql 10.0.3 alone breaks the statement's next use (npgsql/npgsql#6391), which
/// <see cref="PreparedStatementReset"/> prevents.
/// </summary>
public sealed class PreparedStatementResetTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private const string Nul = "a\0c";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_statement_that_fails_on_the_use_that_prepares_it_works_on_the_next(bool inTransaction)
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        Func<string, Task<int>> length = inTransaction ? text => LengthInTransactionAsync(contexts, text) : text => LengthAsync(contexts, text);

        for (var use = 1; use <= 4; use++)
        {
            Assert.Equal(3, await length("abc"));
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => length(Nul));
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
        Assert.Equal(4, await length("abcd"));
        await AssertStatementsWorkAsync(contexts);
    }

    [Fact]
    public async Task A_later_statement_of_a_saved_batch_that_fails_on_the_use_that_prepares_it_leaves_the_connection_working()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        for (var save = 1; save <= 4; save++)
        {
            await SaveTeamAsync(contexts, $"team {save}");
        }

        // SaveChanges reports the batch executed when its first statement (the person's INSERT) has answered;
        // the team's INSERT fails after that, while EF Core reads the results.
        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => SaveTeamAsync(contexts, Nul));
        var cause = Assert.IsType<PostgresException>(refused.InnerException);
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, cause.SqlState);
        await SaveTeamAsync(contexts, "team 6");
        await SaveTeamAsync(contexts, "team 7");
        await AssertStatementsWorkAsync(contexts);
    }

    [Fact]
    public async Task Statements_stay_prepared_while_nothing_fails()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();

        for (var use = 1; use <= 6; use++)
        {
            Assert.Equal(3, await LengthAsync(contexts, "abc"));
        }

        await using var db = await contexts.CreateDbContextAsync();
        var prepared = await db.Database.SqlQuery<int>($"""SELECT count(*)::int AS "Value" FROM pg_prepared_statements WHERE statement LIKE '%length(%'""").SingleAsync();
        Assert.Equal(1, prepared);
    }

    /// <summary>
    /// The failed statement and another, in both orders: which use of the failed statement Npgsql breaks on alone
    /// depends on what ran in between.
    /// </summary>
    private static async Task AssertStatementsWorkAsync(IDbContextFactory<ReadinessDbContext> contexts)
    {
        Assert.Equal(5, await LengthAsync(contexts, "abcde"));
        Assert.Equal("ABC", await UpperAsync(contexts, "abc"));
        Assert.Equal(2, await LengthAsync(contexts, "ab"));
        Assert.Equal("XY", await UpperAsync(contexts, "xy"));
    }

    private static async Task<int> LengthAsync(IDbContextFactory<ReadinessDbContext> contexts, string text)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Database.SqlQuery<int>($"""SELECT length({text})::int AS "Value" """).SingleAsync();
    }

    private static async Task SaveTeamAsync(IDbContextFactory<ReadinessDbContext> contexts, string name)
    {
        await using var db = await contexts.CreateDbContextAsync();
        // A person and a team in one batch, the person's INSERT first ("AspNetUsers" sorts before "Teams"); only the
        // team's row holds the NUL.
        db.Users.Add(new IdentityUser { UserName = $"{Guid.NewGuid():N}@example.com" });
        db.Teams.Add(new Team { Name = name, Slug = $"team-{Guid.NewGuid():N}", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    private static async Task<string> UpperAsync(IDbContextFactory<ReadinessDbContext> contexts, string text)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Database.SqlQuery<string>($"""SELECT upper({text}) AS "Value" """).SingleAsync();
    }

    private static async Task<int> LengthInTransactionAsync(IDbContextFactory<ReadinessDbContext> contexts, string text)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var length = await db.Database.SqlQuery<int>($"""SELECT length({text})::int AS "Value" """).SingleAsync();
            await transaction.CommitAsync();
            return length;
        });
    }
}
