using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>
/// Tests that hold a row or lock in a transaction of their own, to make requests interleave as a race would, wait here
/// until the requests are in PostgreSQL's queue behind it.
/// </summary>
internal static class DatabaseLocks
{
    /// <summary>
    /// Until <paramref name="count"/> other sessions wait for a lock, as PostgreSQL sees it: a row, or the team's audit
    /// chain (an advisory lock taken inside the audit insert), but not the scan scheduler's own advisory lock.
    /// </summary>
    public static async Task WaitForWaitersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count)
    {
        await using var waiting = new NpgsqlCommand(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database() AND query NOT LIKE '%pg_advisory_xact_lock%'
            """, connection, transaction);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if ((long)(await waiting.ExecuteScalarAsync())! >= count)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Fewer than {count} sessions ever waited for a lock.");
    }
}
