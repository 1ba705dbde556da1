namespace WebApi.Accounts;

/// <summary>A token for CI and scripts. Only its SHA-256 is stored; the token itself is shown once, when created.</summary>
public sealed class PersonalAccessToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string UserId { get; init; }
    public required string Name { get; init; }
    public required string Hash { get; init; }

    /// <summary>The token's first characters, so its owner can tell tokens apart without the secret.</summary>
    public required string Prefix { get; init; }

    public List<string> Scopes { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Versions what the owner sets. Use is recorded in <see cref="LastUse"/>, a row of its own, so using a
    /// token never makes its owner's ETag stale: a token in use can still be revoked with the ETag read before.</summary>
    public uint Version { get; set; }

    public PersonalAccessTokenUse? LastUse { get; init; }
}

/// <summary>When a token was last used, as the replicas record it: at most once a minute per replica.</summary>
public sealed class PersonalAccessTokenUse
{
    public Guid TokenId { get; init; }
    public DateTimeOffset LastUsedAt { get; init; }
}
