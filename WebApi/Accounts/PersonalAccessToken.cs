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
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public uint Version { get; set; }
}
