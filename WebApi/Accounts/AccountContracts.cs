using System.ComponentModel.DataAnnotations;

namespace WebApi.Accounts;

public sealed record SignUpRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required, MinLength(12), MaxLength(256)] string Password);

public sealed record SignInRequest(
    [property: Required, MaxLength(254)] string Email,
    [property: Required, MaxLength(256)] string Password);

public sealed record EmailRequest([property: Required, EmailAddress, MaxLength(254)] string Email);

public sealed record ResetPasswordRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required, MaxLength(2048)] string Code,
    [property: Required, MinLength(12), MaxLength(256)] string NewPassword);

public sealed record PasskeyCredentialRequest(
    [property: Required, MaxLength(16_384)] string CredentialJson,
    [property: MaxLength(200)] string? Name);

public sealed record AccountResponse(string Id, string Email, bool EmailConfirmed);

public sealed record AcceptedResponse(string Message);

/// <summary>Whether the caller is signed in (a session cookie or a token), and as whom.</summary>
public sealed record SessionResponse(bool SignedIn, AccountResponse? Account);

public sealed record CreateTokenRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Name,
    [property: Required, MinLength(1), MaxLength(2)] string[] Scopes,
    [property: Range(1, 366)] int ExpiresInDays = 30);

public sealed record TokenResponse(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt,
    string Etag);

/// <summary>The only time the token itself is shown.</summary>
public sealed record CreatedTokenResponse(string Token, TokenResponse Details);
