using System.Collections.Concurrent;
using System.ComponentModel;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WebApi.Caching;
using WebApi.Data;

namespace WebApi.Accounts;

/// <summary>
/// <c>Authorization: Bearer ra_pat_...</c>: looks the token up by its SHA-256, refuses revoked and expired ones, and
/// records when it was last used (at most once a minute per replica, so a busy script does not write on every request).
/// A token found valid is remembered in this replica's memory for a minute under the tokens' cache generation, which
/// every revocation increments: a revoked token is refused on the next request to any replica (within the minute
/// only if Redis was down when it was revoked), and a script's requests do not each take a PostgreSQL connection.
/// </summary>
public sealed class PersonalAccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<ReadinessDbContext> contextFactory,
    HybridCache cache,
    CacheGenerationSnapshot generations,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly HybridCacheEntryOptions s_inMemoryOnly = new()
    {
        Expiration = TimeSpan.FromMinutes(1),
        LocalCacheExpiration = TimeSpan.FromMinutes(1),
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
    };

    // When this replica last wrote each token's LastUsedAt.
    private static readonly ConcurrentDictionary<Guid, DateTimeOffset> s_lastRecorded = new();

    /// <summary>What a valid token grants; immutable, so the cache may share one instance between requests.</summary>
    [ImmutableObject(true)]
    public sealed record ValidToken(Guid Id, string UserId, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

    public const string SchemeName = "PersonalAccessToken";
    public const string TokenPrefix = "ra_pat_";
    private const string BearerPrefix = "Bearer ";
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    public static bool HasBearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Authorization.ToString().StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A new token: 32 random bytes, URL-safe, behind a prefix that secret scanners can recognise.</summary>
    public static string NewToken() => TokenPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return AuthenticateResult.Fail("Not a personal access token.");
        }

        var hash = Hash(token);
        var now = time.GetUtcNow();
        var found = await FindAsync(hash, Context.RequestAborted);
        if (found is null || found.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
        }

        if (!s_lastRecorded.TryGetValue(found.Id, out var recorded) || now - recorded >= LastUseResolution)
        {
            s_lastRecorded[found.Id] = now;
            await using var db = await contextFactory.CreateDbContextAsync(Context.RequestAborted);
            // In a row of its own, so the token's version (its ETag) stays what its owner read. Replicas race to
            // record; the latest use wins, and a token deleted meanwhile records nothing.
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO "PersonalAccessTokenUses" ("TokenId", "LastUsedAt")
                SELECT "Id", {now} FROM "PersonalAccessTokens" WHERE "Id" = {found.Id}
                ON CONFLICT ("TokenId") DO UPDATE SET "LastUsedAt" = excluded."LastUsedAt"
                WHERE "PersonalAccessTokenUses"."LastUsedAt" < excluded."LastUsedAt"
                """,
                Context.RequestAborted);
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, found.UserId), new("token_id", found.Id.ToString()) };
        claims.AddRange(found.Scopes.Select(scope => new Claim(TokenScopes.ClaimType, scope)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>The valid (not revoked) token with this hash: from memory under the current generation, else PostgreSQL.</summary>
    private async Task<ValidToken?> FindAsync(string hash, CancellationToken cancellationToken)
    {
        var current = (await generations.GetAsync())?.Tokens;
        if (current is null)
        {
            return await LoadAsync(contextFactory, hash, cancellationToken);
        }

        // Only valid tokens are kept: a made-up token cannot fill the cache, and one revoked later has a new generation.
        var key = $"pat:{current}:{hash}";
        var found = await cache.GetOrCreateAsync(key, (contextFactory, hash), static (state, token) => LoadAsync(state.contextFactory, state.hash, token), s_inMemoryOnly, cancellationToken: cancellationToken);
        if (found is null)
        {
            await cache.RemoveAsync(key, cancellationToken);
        }

        return found;
    }

    private static async ValueTask<ValidToken?> LoadAsync(IDbContextFactory<ReadinessDbContext> contextFactory, string hash, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.PersonalAccessTokens
            .AsNoTracking()
            .Where(t => t.Hash == hash && t.RevokedAt == null)
            .Select(t => new ValidToken(t.Id, t.UserId, t.Scopes, t.ExpiresAt))
            .SingleOrDefaultAsync(cancellationToken);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer error=\"invalid_token\"";
        return Task.CompletedTask;
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
