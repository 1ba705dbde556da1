using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace WebApi.Http;

/// <summary>
/// Optimistic concurrency over HTTP. Every resource's entity tag is its row version (PostgreSQL's <c>xmin</c>); a change
/// must name the version it was based on in <c>If-Match</c> (428 without it), and the UPDATE itself is conditioned on
/// that version, so a change made in between answers 412 however close the race (see <see cref="ConcurrencyConflictHandler"/>).
/// </summary>
public static class Preconditions
{
    public static string ETag(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Sets the response's <c>ETag</c> to <paramref name="version"/>'s.</summary>
    public static void SetETag(this HttpResponse response, uint version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = ETag(version);
    }

    /// <summary>
    /// The version the client's <c>If-Match</c> names, or a 428/412 problem. Checked against <paramref name="current"/>
    /// here for a clear answer, and again by the database when saving.
    /// </summary>
    public static ProblemHttpResult? CheckIfMatch(this HttpRequest request, uint current, out uint expected)
    {
        ArgumentNullException.ThrowIfNull(request);
        expected = 0;
        var ifMatch = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status428PreconditionRequired,
                title: "Precondition Required",
                detail: "Send the resource's ETag in If-Match, so a change made by someone else since you read it is not overwritten.");
        }

        // A list matches when any of its strong tags names the current version (RFC 9110, 13.1.1).
        if (!EntityTagHeaderValue.TryParseList([ifMatch], out var tags)
            || !tags.Any(tag => !tag.IsWeak
                && uint.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                && version == current))
        {
            return StalePrecondition();
        }

        expected = current;
        return null;
    }

    /// <summary>Makes the next SaveChanges update <paramref name="entity"/> only if its row is still at <paramref name="expected"/>.</summary>
    public static void ExpectVersion<TEntity>(this DbContext db, TEntity entity, uint expected)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Entry(entity).Property<uint>("Version").OriginalValue = expected;
    }

    /// <summary>A POST that, like every PUT, PATCH and DELETE, needs <c>If-Match</c> (<see cref="IfMatchMetadata"/>).</summary>
    public static RouteHandlerBuilder RequiresIfMatch(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new IfMatchMetadata());
    }

    public static ProblemHttpResult StalePrecondition() => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "Precondition Failed",
        detail: "The resource changed since the ETag in If-Match was read. Read it again, reapply your change and retry.");
}

/// <summary>Marks a POST that checks <c>If-Match</c>, so the OpenAPI document can say so (PUT, PATCH and DELETE always do).</summary>
public sealed class IfMatchMetadata;
