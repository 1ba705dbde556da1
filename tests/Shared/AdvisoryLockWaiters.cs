using Npgsql;

namespace ReadinessAspire.Testing;

/// <summary>What PostgreSQL says about sessions waiting for an advisory lock (<c>SchemaLock</c>'s kind).</summary>
internal static class AdvisoryLockWaiters
{
    /// <summary>Returns once a session of the connection string's database waits for an advisory lock.</summary>
    public static async Task WaitForOneAsync(string connectionString, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel.Token);
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            connection);
        while ((long)(await waiting.ExecuteScalarAsync(cancel.Token))! == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancel.Token);
        }
    }
}
