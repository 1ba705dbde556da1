using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using WebApi.Accounts;
using WebApi.Data;

namespace WebApi.Http;

/// <summary>Marks an endpoint whose POST honours <c>Idempotency-Key</c>, so the OpenAPI document can say so.</summary>
public sealed class IdempotencyKeyMetadata;

public static class IdempotencyExtensions
{
    /// <summary>The POST honours <c>Idempotency-Key</c> (<see cref="IdempotencyFilter"/>).</summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter<IdempotencyFilter>().WithMetadata(new IdempotencyKeyMetadata());
    }
}

/// <summary>
/// <c>Idempotency-Key</c> on a POST: the first request with a key runs; a retry with the same key and body gets the
/// first answer again (with <c>Idempotent-Replayed: true</c>) and creates nothing; the same key with a different body
/// is refused with 422, and a retry while the first is still running with 409. Keys are per user and kept a day.
/// </summary>
/// <remarks>
/// "Still running" is a PostgreSQL session lock on the key, held by the request that runs it: a request that ended
/// without an answer (its replica killed, or the database gone mid-request) leaves a key that nobody holds, and the
/// retry runs it again instead of answering 409 for a day. Each request that runs also deletes the keys past their day.
/// The lock is taken on the connection of the request's own context, which the filter keeps open until the handler
/// has answered: a request holds one connection of the replica's small pool, not two. With a connection of its own,
/// as many requests as the pool has connections held them all, and each handler waited for one that never came.
/// </remarks>
public sealed class IdempotencyFilter(TimeProvider time, IOptions<JsonOptions> json) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var key = http.Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(key) || http.User.Identity?.IsAuthenticated != true)
        {
            return await next(context);
        }

        if (key.Length > Limits.IdempotencyKey)
        {
            return ProblemDetailsResponse.Invalid(HeaderName, $"At most {Limits.IdempotencyKey} characters.");
        }

        var userId = http.User.UserId();
        var requestHash = HashArguments(http, context.Arguments);
        var cancellationToken = http.RequestAborted;
        var db = http.RequestServices.GetRequiredService<ReadinessDbContext>();
        // One connection for the whole request, the handler's too: the key's lock is this session's.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var running = false;
        try
        {
            running = await TryLockAsync(db, userId, key, cancellationToken);
            if (running)
            {
                // Every user's keys past their day, this one's too if it is: its old answer is no longer replayed.
                await db.IdempotencyKeys.Where(r => r.CreatedAt < time.GetUtcNow() - Retention).ExecuteDeleteAsync(cancellationToken);
            }

            var existing = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == userId && r.Key == key, cancellationToken);

            if (existing is { Completed: true } || !running)
            {
                return existing is not null ? Replay(existing, requestHash, http) : InProgress();
            }

            if (existing is not null)
            {
                // Not completed, yet nobody holds it: the request that took it ended without an answer, and its
                // transaction with it, so nothing was created. This request is the one that runs.
                await db.IdempotencyKeys.Where(r => r.UserId == userId && r.Key == key).ExecuteUpdateAsync(set => set
                    .SetProperty(r => r.RequestHash, requestHash)
                    .SetProperty(r => r.CreatedAt, time.GetUtcNow()), cancellationToken);
            }
            else
            {
                try
                {
                    var record = db.IdempotencyKeys.Add(new IdempotencyRecord { UserId = userId, Key = key, RequestHash = requestHash, CreatedAt = time.GetUtcNow() });
                    await db.SaveChangesAsync(cancellationToken);
                    // The handler's context: it starts with nothing of the filter's tracked.
                    record.State = EntityState.Detached;
                }
                catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                {
                    // A replica of the previous release, which takes no lock, got there first.
                    db.ChangeTracker.Clear();
                    var winner = await db.IdempotencyKeys.AsNoTracking().SingleAsync(r => r.UserId == userId && r.Key == key, cancellationToken);
                    return Replay(winner, requestHash, http);
                }
            }

            return await RunAsync(context, next, db, userId, key);
        }
        finally
        {
            if (running)
            {
                await UnlockAsync(db, userId, key);
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<object?> RunAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, ReadinessDbContext db, string userId, string key)
    {
        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            // Nothing was created: free the key so the client's retry runs again. If the connection broke, the lock
            // went with it and the retry runs again anyway; the handler's exception is the one to answer.
            try
            {
                await ForgetAsync(db, userId, key);
            }
            catch (Exception forgetting) when (forgetting is NpgsqlException or InvalidOperationException)
            {
            }

            throw;
        }

        // Typed unions (Results<Created<T>, ProblemHttpResult>) wrap the result that actually answers.
        var answer = result is INestedHttpResult nested ? nested.Result : result;
        if (answer is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } success)
        {
            var status = success.StatusCode!.Value;
            var location = answer.GetType().GetProperty("Location")?.GetValue(answer) as string;
            var body = answer is IValueHttpResult { Value: { } value } ? JsonSerializer.Serialize(value, value.GetType(), json.Value.SerializerOptions) : null;
            // Not cancellable: the resource exists now, and a retry must find its answer.
            await db.IdempotencyKeys.Where(r => r.UserId == userId && r.Key == key).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Completed, true)
                .SetProperty(r => r.StatusCode, status)
                .SetProperty(r => r.Location, location)
                .SetProperty(r => r.Body, body),
                CancellationToken.None);
        }
        else
        {
            await ForgetAsync(db, userId, key);
        }

        return result;
    }

    private static object Replay(IdempotencyRecord record, string requestHash, HttpContext http)
    {
        if (record.RequestHash != requestHash)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused",
                detail: "This Idempotency-Key was used with a different request; use a new key for a new request.");
        }

        if (!record.Completed)
        {
            return InProgress();
        }

        http.Response.Headers[ReplayedHeaderName] = "true";
        if (record.Location is not null)
        {
            http.Response.Headers.Location = record.Location;
        }

        return TypedResults.Text(record.Body ?? "", "application/json", statusCode: record.StatusCode);
    }

    private static ProblemHttpResult InProgress() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Request in progress",
            detail: "A request with this Idempotency-Key is still being processed; retry shortly.");

    private static async Task ForgetAsync(ReadinessDbContext db, string userId, string key) =>
        await db.IdempotencyKeys.Where(r => r.UserId == userId && r.Key == key).ExecuteDeleteAsync(CancellationToken.None);

    /// <summary>The key's session lock, if no other request holds it: a 64-bit hash of user and key, apart from the two-part keys of the audit chains.</summary>
    private static async Task<bool> TryLockAsync(ReadinessDbContext db, string userId, string key, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<bool>($"""SELECT pg_try_advisory_lock(hashtextextended({userId} || '/' || {key}, 0)) AS "Value" """)
            .ToListAsync(cancellationToken))[0];

    /// <summary>
    /// Released before the connection goes back to the pool, which keeps sessions as they are (No Reset On Close); a
    /// connection that broke took the lock with it.
    /// </summary>
    private static async Task UnlockAsync(ReadinessDbContext db, string userId, string key)
    {
        try
        {
            await db.Database.SqlQuery<bool>($"""SELECT pg_advisory_unlock(hashtextextended({userId} || '/' || {key}, 0)) AS "Value" """)
                .ToListAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
        }
    }

    /// <summary>
    /// The path and the bound body (request contracts are named <c>...Request</c>): a retry must be the same request,
    /// not merely the same key.
    /// </summary>
    private static string HashArguments(HttpContext http, IList<object?> arguments)
    {
        var bodies = arguments.Where(argument => argument is not null && argument.GetType().Name.EndsWith("Request", StringComparison.Ordinal));
        var text = http.Request.Path + "\n" + string.Join("\n", bodies.Select(body => JsonSerializer.Serialize(body, body!.GetType(), JsonSerializerOptions.Web)));
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
