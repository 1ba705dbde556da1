using System.Security.Claims;

namespace WebApi.Accounts;

public static class TokenScopes
{
    public const string Read = "read";
    public const string Write = "write";
    public const string ClaimType = "scope";

    public static readonly IReadOnlyList<string> All = [Read, Write];
}

/// <summary>
/// Read and write need the matching scope when the caller is a token; a browser session has every scope.
/// <see cref="Session"/> is for what a token must never do for itself, such as minting more tokens.
/// </summary>
public static class AccessPolicies
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Session = "session";

    public static bool HasScope(ClaimsPrincipal user, string scope)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.AuthenticationType != PersonalAccessTokenHandler.SchemeName
            || user.HasClaim(TokenScopes.ClaimType, scope);
    }

    /// <summary>The signed-in user's id; only called behind an authorization policy.</summary>
    public static string UserId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The endpoint requires authorization, yet the user has no id.");
    }
}
