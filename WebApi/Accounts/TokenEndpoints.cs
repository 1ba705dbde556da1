using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebApi.Audit;
using WebApi.Caching;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Accounts;

/// <summary>
/// <c>/api/account/tokens</c>: a signed-in user's personal access tokens. Only a browser session manages them,
/// so a leaked token cannot mint itself successors or outlive its revocation.
/// </summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/api/account/tokens").WithTags("Account").RequireAuthorization(AccessPolicies.Session);
        tokens.MapGet("/", ListAsync);
        tokens.MapGet("/{id:guid}", GetAsync);
        // 409: the person already holds the most active tokens they may (Accounts:MaxActiveTokens).
        tokens.MapPost("/", CreateAsync).RequireRateLimiting(AccountExtensions.TokenRateLimit).ProducesProblem(StatusCodes.Status409Conflict);
        tokens.MapDelete("/{id:guid}", RevokeAsync).RequireRateLimiting(AccountExtensions.TokenRateLimit);
        return routes;
    }

    private static async Task<Ok<List<TokenResponse>>> ListAsync(HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var tokens = await db.PersonalAccessTokens.AsNoTracking().Include(t => t.LastUse)
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(tokens.Select(ToResponse).ToList());
    }

    /// <summary>One token, where the <c>Location</c> of its creation points.</summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> GetAsync(Guid id, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var token = await db.PersonalAccessTokens.AsNoTracking().Include(t => t.LastUse).SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId, cancellationToken);
        if (token is null)
        {
            return ProblemDetailsResponse.NotFound("token");
        }

        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.SetETag(token.Version);
        return TypedResults.Ok(ToResponse(token));
    }

    private static async Task<Results<Created<CreatedTokenResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTokenRequest request, HttpContext http, ReadinessDbContext db, IOptions<AccountOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var unknown = request.Scopes.Where(scope => !TokenScopes.All.Contains(scope)).ToList();
        if (unknown.Count > 0 || request.ExpiresInDays > options.Value.MaxTokenLifetimeDays)
        {
            var errors = new Dictionary<string, string[]>();
            if (unknown.Count > 0)
            {
                errors["scopes"] = [$"Unknown scope(s): {string.Join(", ", unknown)}. Scopes are: {string.Join(", ", TokenScopes.All)}."];
            }

            if (request.ExpiresInDays > options.Value.MaxTokenLifetimeDays)
            {
                errors["expiresInDays"] = [$"At most {options.Value.MaxTokenLifetimeDays} days."];
            }

            return TypedResults.ValidationProblem(errors);
        }

        var secret = PersonalAccessTokenHandler.NewToken();
        var now = time.GetUtcNow();
        var token = new PersonalAccessToken
        {
            UserId = http.User.UserId(),
            Name = request.Name.Trim(),
            Hash = PersonalAccessTokenHandler.Hash(secret),
            Prefix = secret[..12],
            Scopes = [.. request.Scopes.Distinct(StringComparer.Ordinal)],
            CreatedAt = now,
            ExpiresAt = now.AddDays(request.ExpiresInDays),
        };
        db.PersonalAccessTokens.Add(token);
        db.Record(http.User, "token.created", "token", token.Id.ToString(), null, ToResponse(token));
        var max = options.Value.MaxActiveTokens;
        var retentionDays = options.Value.EndedTokenRetentionDays;
        var refused = await db.SaveInTransactionAsync(async attemptCancellation =>
        {
            // The person's row, held until the commit: two creations for the last place count one after the other.
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "AspNetUsers" WHERE "Id" = {token.UserId} FOR NO KEY UPDATE""", attemptCancellation);
            var active = await db.PersonalAccessTokens.CountAsync(t => t.UserId == token.UserId && t.RevokedAt == null && t.ExpiresAt > now, attemptCancellation);
            if (active >= max)
            {
                return ProblemDetailsResponse.Conflict($"You hold {max} active tokens, the most you may; revoke one to create another.");
            }

            // The person's tokens that ended long ago go: their list stays short, and the audit trail keeps their story.
            var endedBefore = now.AddDays(-retentionDays);
            await db.PersonalAccessTokens
                .Where(t => t.UserId == token.UserId && ((t.RevokedAt != null && t.RevokedAt < endedBefore) || t.ExpiresAt < endedBefore))
                .ExecuteDeleteAsync(attemptCancellation);
            return null;
        }, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        http.Response.SetETag(token.Version);
        return TypedResults.Created($"/api/account/tokens/{token.Id}", new CreatedTokenResponse(secret, ToResponse(token)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, HttpContext http, ReadinessDbContext db, CacheGeneration generation, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var token = await db.PersonalAccessTokens.Include(t => t.LastUse).SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId, cancellationToken);
        if (token is null)
        {
            return ProblemDetailsResponse.NotFound("token");
        }

        if (http.Request.CheckIfMatch(token.Version, out var expected) is { } failed)
        {
            return failed;
        }

        var before = ToResponse(token);
        db.ExpectVersion(token, expected);
        token.RevokedAt ??= time.GetUtcNow();
        db.Record(http.User, "token.revoked", "token", token.Id.ToString(), before, ToResponse(token));
        await db.SaveChangesAsync(cancellationToken);
        // Every replica forgets the tokens it had found valid.
        await generation.BumpAsync(CacheGeneration.Tokens);
        return TypedResults.NoContent();
    }

    internal static TokenResponse ToResponse(PersonalAccessToken token) =>
        new(token.Id, token.Name, token.Prefix, token.Scopes, token.CreatedAt, token.ExpiresAt, token.LastUse?.LastUsedAt, token.RevokedAt, Preconditions.ETag(token.Version));
}
