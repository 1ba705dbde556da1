using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>The race tests' wait for PostgreSQL's lock queue, against the stack's own PostgreSQL.</summary>
[Collection(StackTestGroup.Name)]
public sealed class DatabaseLocksTests(StackFixture stack)
{
    [Fact]
    public async Task A_session_that_connects_after_the_first_poll_is_seen_once_it_waits()
    {
        var connectionString = await stack.App.GetConnectionStringAsync("readiness");
        var key = Random.Shared.NextInt64();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, holding))
        {
            hold.Parameters.AddWithValue("key", key);
            await hold.ExecuteNonQueryAsync();
        }

        // A first poll, in the holding transaction, before the waiter's session exists.
        await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => DatabaseLocks.WaitForWaitersAsync(connection, holding, int.MaxValue, attempts: 1));

        // A session of its own (no pool), as a replica's pool opens one for a request; its statement does not name
        // the lock function the helper leaves out.
        await using var waiter = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await waiter.OpenAsync();
        await using var wait = new NpgsqlCommand("SELECT pg_advisory_lock(@key), pg_advisory_unlock(@key)", waiter);
        wait.Parameters.AddWithValue("key", key);
        var waiting = wait.ExecuteNonQueryAsync();

        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 1);
        Assert.False(waiting.IsCompleted);
        await holding.CommitAsync();
        await waiting;
    }
}
