using System.Net;
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
    /// <remarks>
    /// A transaction reads the list of sessions in <c>pg_stat_activity</c> once and keeps it to its end, so each poll
    /// first drops that snapshot: otherwise a session that connected after the first poll (a replica's pool opening a
    /// connection for the request) is never seen, however long it waits.
    /// </remarks>
    /// <param name="attempts">Polls, 100 ms apart.</param>
    public static async Task WaitForWaitersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, int attempts = 300)
    {
        await using var waiting = new NpgsqlCommand(
            """
            SELECT pg_stat_clear_snapshot();
            SELECT count(*) FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database() AND query NOT LIKE '%pg_advisory_xact_lock%'
            """, connection, transaction);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (await WaitingAsync(waiting) >= count)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Fewer than {count} sessions ever waited for a lock.");
    }

    /// <summary>
    /// Sends <paramref name="requests"/> at once while <paramref name="holdRow"/> (a <c>SELECT ... FOR UPDATE</c> of the
    /// row <c>@id</c>) holds them off, and lets them go once every one waits behind it: requests for the last place
    /// under a limit, lined up to count at the same moment. Their statuses, in order.
    /// </summary>
    public static async Task<HttpStatusCode[]> StatusesOfLinedUpAsync(NpgsqlConnection connection, string holdRow, object id, params Func<Task<HttpResponseMessage>>[] requests)
    {
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand(holdRow, connection, holding))
        {
            hold.Parameters.AddWithValue("id", id);
            await hold.ExecuteNonQueryAsync();
        }

        var racing = requests.Select(request => request()).ToList();
        await WaitForWaitersAsync(connection, holding, racing.Count);
        await holding.CommitAsync();
        var answers = await Task.WhenAll(racing);
        try
        {
            return [.. answers.Select(a => a.StatusCode).Order()];
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> while a transaction of the test holds the row of <paramref name="table"/> with
    /// <paramref name="id"/> as a delete does (FOR UPDATE), waits until the request waits behind it, then deletes the row
    /// and commits: the request loses its race with the delete. Its answer.
    /// </summary>
    public static async Task<HttpResponseMessage> RacedByDeleteAsync(NpgsqlConnection connection, string table, Guid id, Func<Task<HttpResponseMessage>> request)
    {
        await using var deleting = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"""SELECT 1 FROM "{table}" WHERE "Id" = @id FOR UPDATE""", connection, deleting))
        {
            hold.Parameters.AddWithValue("id", id);
            await hold.ExecuteNonQueryAsync();
        }

        var racing = request();
        await WaitForWaitersAsync(connection, deleting, 1);
        await using (var delete = new NpgsqlCommand($"""DELETE FROM "{table}" WHERE "Id" = @id""", connection, deleting))
        {
            delete.Parameters.AddWithValue("id", id);
            await delete.ExecuteNonQueryAsync();
        }

        await deleting.CommitAsync();
        return await racing;
    }

    private static async Task<long> WaitingAsync(NpgsqlCommand waiting)
    {
        await using var reader = await waiting.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }
}
