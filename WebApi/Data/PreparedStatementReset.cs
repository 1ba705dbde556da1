using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace WebApi.Data;

/// <summary>
/// After a command fails, its connection forgets every statement it prepared (<c>DEALLOCATE ALL</c>) before it goes
/// back to the pool. Npgsql 10.0.3's automatic preparation loses track of a statement whose preparing execution (its
/// fifth use on a connection) fails, on a NUL in a text parameter or a value too long for its column: a later use of
/// it on that connection reads a reply it does not expect ("Received unexpected backend message DataRow") and breaks
/// the connection under whichever request comes next (npgsql/npgsql#6391, open). Commands fail rarely (bad input that
/// validation let through, a unique value taken, a cancelled request), so giving up one connection's prepared
/// statements, which it prepares again after five uses, costs nothing measurable.
/// </summary>
/// <remarks>
/// A failure counts when EF Core reports the command failed or was cancelled, or when a transaction begun on the
/// connection closes without reaching its commit: an error in a later statement of a saved batch surfaces while EF
/// Core reads the results, after the command has been reported executed, and SaveChanges runs such a batch in a
/// transaction of its own. The reset waits for the connection to close, since PostgreSQL refuses <c>DEALLOCATE</c>
/// in a failed transaction until the rollback, which EF Core does before it closes the connection.
/// </remarks>
public sealed partial class PreparedStatementReset(ILogger<PreparedStatementReset> logger)
    : IDbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    private static readonly object s_marked = new();

    // Connections with a failed command or an uncommitted transaction since they opened; weak, so a connection
    // dropped without closing is not kept.
    private readonly ConditionalWeakTable<DbConnection, object> _failed = new();
    private readonly ConditionalWeakTable<DbConnection, object> _uncommitted = new();

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Mark(_failed, eventData?.Connection);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Mark(_failed, eventData?.Connection);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Mark(_failed, eventData?.Connection);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Mark(_failed, eventData?.Connection);
        return Task.CompletedTask;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Mark(_uncommitted, connection);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Mark(_uncommitted, connection);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Unmark(_uncommitted, transaction);
        return result;
    }

    public ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Unmark(_uncommitted, transaction);
        return ValueTask.FromResult(result);
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Mark(_failed, transaction?.Connection);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Mark(_failed, transaction?.Connection);
        return Task.CompletedTask;
    }

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        ResetIfFailed(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        // Npgsql has no asynchronous UnprepareAll; one round trip, after a failure only.
        ResetIfFailed(connection);
        return ValueTask.FromResult(result);
    }

    private static void Mark(ConditionalWeakTable<DbConnection, object> marks, DbConnection? connection)
    {
        if (connection is NpgsqlConnection)
        {
            marks.AddOrUpdate(connection, s_marked);
        }
    }

    private static void Unmark(ConditionalWeakTable<DbConnection, object> marks, DbTransaction? transaction)
    {
        if (transaction?.Connection is { } connection)
        {
            marks.Remove(connection);
        }
    }

    private void ResetIfFailed(DbConnection connection)
    {
        // Both marks go, whatever happens next: the next opening of this connection starts clean.
        var failed = _failed.Remove(connection) | _uncommitted.Remove(connection);
        if (!failed || connection is not NpgsqlConnection { State: ConnectionState.Open } npgsql)
        {
            // Nothing failed, or the connection broke with it: Npgsql does not pool a broken connection.
            return;
        }

        try
        {
            npgsql.UnprepareAll();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            // The connection broke on the way (Npgsql then discards it), or is still in a transaction someone else owns.
            LogResetFailed(logger, exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reset a connection's prepared statements after a failed command ({ExceptionType}).")]
    private static partial void LogResetFailed(ILogger logger, string exceptionType);
}
