using Npgsql;

namespace ServiceDefaults.Data;

/// <summary>
/// Keeps a database's schema changes apart from its backups: a PostgreSQL advisory lock that a migration or a restore
/// holds alone, and each backup holds, shared with other backups, while pg_dump runs.
/// </summary>
/// <remarks>
/// Without it, a migration's <c>ALTER TABLE</c> queues behind a running dump's table locks and every query on that
/// table queues behind the <c>ALTER</c>: the service stalls for as long as the dump runs. Waiting here instead, neither
/// holds a table lock, so reads and writes go on; and a backup never holds a schema the migrator had half applied
/// (its seed and its key ring come in transactions of their own). The lock is the session's, on a connection of its own
/// that is never pooled: disposing it, or the holder's end however it comes, releases the lock.
/// </remarks>
public sealed class SchemaLock : IAsyncDisposable
{
    /// <summary>Any constant the migrator, the restore and the backups agree on; it only names the lock.</summary>
    public const long Key = 0x5c4e_3a10_c0de;

    private readonly NpgsqlConnection _connection;

    private SchemaLock(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Waits until no backup, migration or restore holds the lock, then holds it alone.</summary>
    /// <param name="waiting">Called once if the lock is held elsewhere, before waiting for it.</param>
    public static Task<SchemaLock> AcquireExclusiveAsync(string connectionString, Action? waiting = null, CancellationToken cancellationToken = default) =>
        AcquireAsync(connectionString, "", waiting, cancellationToken);

    /// <summary>Waits until no migration or restore holds the lock, then holds it beside other backups.</summary>
    /// <param name="waiting">Called once if the lock is held elsewhere, before waiting for it.</param>
    public static Task<SchemaLock> AcquireSharedAsync(string connectionString, Action? waiting = null, CancellationToken cancellationToken = default) =>
        AcquireAsync(connectionString, "_shared", waiting, cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static async Task<SchemaLock> AcquireAsync(string connectionString, string mode, Action? waiting, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);

        // No command timeout: a migration or a dump takes as long as it takes, and the caller's token ends the wait.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Multiplexing = false, CommandTimeout = 0 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var attempt = new NpgsqlCommand($"SELECT pg_try_advisory_lock{mode}({Key})", connection))
            {
                if ((bool)(await attempt.ExecuteScalarAsync(cancellationToken))!)
                {
                    return new SchemaLock(connection);
                }
            }

            waiting?.Invoke();
            await using (var wait = new NpgsqlCommand($"SELECT pg_advisory_lock{mode}({Key})", connection))
            {
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }

            return new SchemaLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
