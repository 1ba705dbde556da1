using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace WebApi.Data;

public static class TransactionalSaves
{
    /// <summary>
    /// Saves the context's pending changes in one transaction, after <paramref name="beforeSave"/> has run in it (a row
    /// lock, and what must be read or checked under it); a refusal it returns is answered instead, and nothing is
    /// saved. The whole attempt runs again after a transient failure, and the changes count as saved only once
    /// committed, so a retry saves them again.
    /// </summary>
    public static Task<TRefusal?> SaveInTransactionAsync<TRefusal>(
        this DbContext db, Func<CancellationToken, Task<TRefusal?>> beforeSave, CancellationToken cancellationToken)
        where TRefusal : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(beforeSave);
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            if (await beforeSave(token) is { } refusal)
            {
                return refusal;
            }

            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, token);
            await transaction.CommitAsync(token);
            db.ChangeTracker.AcceptAllChanges();
            return null;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="lockRow"/>, a <c>SELECT 1 AS "Value" ... FOR ...</c> of one row, in the transaction under
    /// way: whether the row exists, held as the statement says until the transaction ends.
    /// </summary>
    public static async Task<bool> LockRowAsync(this DatabaseFacade database, FormattableString lockRow, CancellationToken cancellationToken) =>
        (await database.SqlQuery<int>(lockRow).ToListAsync(cancellationToken)).Count > 0;
}
