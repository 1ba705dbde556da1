using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WebApi.Reviews;
using WebApi.Teams;

namespace WebApi.Http;

/// <summary>
/// What the database refuses becomes the client's answer, not a 500: a row changed since it was read answers 412,
/// a unique value already taken (a slug, a second open review), a change to a review completed meanwhile or a row
/// that refers to one deleted meanwhile answers 409, and text PostgreSQL cannot store (a NUL character, in a query
/// parameter or a JSON string) answers 400. Nothing was written in any case.
/// </summary>
public sealed class ConcurrencyConflictHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    private static readonly Dictionary<string, string> UniqueValues = new(StringComparer.Ordinal)
    {
        ["IX_Services_Slug"] = "Another service already has this slug.",
        ["IX_Teams_Slug"] = "Another team already has this slug.",
        ["IX_Reviews_OneOpenPerService"] = "The service already has an open review; complete it before starting another.",
        ["PK_TeamMembers"] = TeamAccess.AlreadyMember,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var (status, title, detail) = exception switch
        {
            DbUpdateConcurrencyException => (StatusCodes.Status412PreconditionFailed, "Precondition Failed",
                "The resource changed since the ETag in If-Match was read. Read it again, reapply your change and retry."),
            _ when FrozenReviews.Refused(exception) => (StatusCodes.Status409Conflict, "Conflict", FrozenReviews.Detail),
            DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique } =>
                (StatusCodes.Status409Conflict, "Conflict", UniqueValues.GetValueOrDefault(unique.ConstraintName ?? "", "A unique value is already taken.")),
            // The writes that race a delete of what they refer to (a service's team, a review's service) check for it
            // under a lock and answer 404; this answers for any other the foreign key is left to catch.
            DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } } =>
                (StatusCodes.Status409Conflict, "Conflict", "Something this request refers to was deleted meanwhile; reload and try again."),
            // Found by wapiti (bench/wapiti): a userId of "/e%00" made confirm-email answer 500. PostgreSQL refuses a NUL
            // in text ("invalid byte sequence for encoding UTF8: 0x00") and in jsonb, such as the audit trail's copy of
            // a changed row ("\u0000 cannot be converted to text"), wherever a request's text reaches a query or a row.
            PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter }
                or DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter } } =>
                (StatusCodes.Status400BadRequest, "Bad Request", "The request holds a character that cannot be stored (NUL)."),
            _ => (0, "", ""),
        };
        if (status == 0)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
