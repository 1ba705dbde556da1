using Microsoft.EntityFrameworkCore;

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
}
