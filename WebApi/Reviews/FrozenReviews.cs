using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Reviews;

/// <summary>
/// A completed review is frozen, and the database holds the line (migrations <c>ReviewsFrozenInTheDatabase</c> and
/// <c>EvidenceOfFrozenReviewsKept</c>): an item's change, a new evidence file or a deleted one checks, under a lock on
/// the review's row, that the review is still open, and
/// is refused with <see cref="SqlState"/> when a completion got there first. The handlers' own checks answer the
/// common case early; this one closes the race between them and the write.
/// </summary>
public static class FrozenReviews
{
    public const string SqlState = "RAF01";

    public const string Detail = "The review is completed and frozen; start a new review to change items.";

    public static bool Refused(Exception exception) =>
        exception is PostgresException { SqlState: SqlState } or DbUpdateException { InnerException: PostgresException { SqlState: SqlState } };

    /// <summary>
    /// Saves the pending changes to the evidence of review <paramref name="reviewId"/> while it is open: null once
    /// saved, else the 409 and nothing saved. The review's row is locked first (FOR KEY SHARE, which holds a completion
    /// off until the save commits), then the team's audit chain as the save writes its audit event last: the order a
    /// completion and an item change take them in. <paramref name="whileOpen"/>, if given, runs next, under that lock:
    /// a refusal it returns is answered instead, and nothing is saved.
    /// </summary>
    public static Task<ProblemHttpResult?> SaveEvidenceWhileOpenAsync(
        ReadinessDbContext db, Guid reviewId, Func<CancellationToken, Task<ProblemHttpResult?>>? whileOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.SaveInTransactionAsync<ProblemHttpResult>(async token =>
        {
            var open = await db.Database
                .SqlQuery<int>($"""SELECT 1 AS "Value" FROM "Reviews" WHERE "Id" = {reviewId} AND "State" = 'Open' FOR KEY SHARE""")
                .ToListAsync(token);
            if (open.Count == 0)
            {
                return ProblemDetailsResponse.Conflict(Detail);
            }

            return whileOpen is null ? null : await whileOpen(token);
        }, cancellationToken);
    }
}
