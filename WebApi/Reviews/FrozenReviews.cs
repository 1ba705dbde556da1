using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace WebApi.Reviews;

/// <summary>
/// A completed review is frozen, and the database holds the line (migration <c>ReviewsFrozenInTheDatabase</c>): an
/// item's change or a new evidence file checks, under a lock on the review's row, that the review is still open, and
/// is refused with <see cref="SqlState"/> when a completion got there first. The handlers' own checks answer the
/// common case early; this one closes the race between them and the write.
/// </summary>
public static class FrozenReviews
{
    public const string SqlState = "RAF01";

    public const string Detail = "The review is completed and frozen; start a new review to change items.";

    public static bool Refused(Exception exception) =>
        exception is PostgresException { SqlState: SqlState } or DbUpdateException { InnerException: PostgresException { SqlState: SqlState } };
}
