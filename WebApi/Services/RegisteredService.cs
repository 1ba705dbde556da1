namespace WebApi.Services;

/// <summary>A service a team runs and reviews. ("Service" alone would read as a DI service everywhere in this code.)</summary>
public sealed class RegisteredService
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TeamId { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public string Description { get; set; } = "";
    public string? RepositoryUrl { get; set; }
    public List<string> Tags { get; set; } = [];
    public List<ServiceEnvironment> Environments { get; set; } = [];
    public CriticalityTier Tier { get; set; } = CriticalityTier.B;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public uint Version { get; set; }
}

public sealed class ServiceEnvironment
{
    public required string Name { get; set; }
    public required string BaseUrl { get; set; }

    /// <summary>Whether the scanner grades the environment as a web page or as an API.</summary>
    public Scanner.ScanProfile Profile { get; set; }
}

/// <summary>How much the business depends on the service (A most); the tier sets the score its review must reach.</summary>
public enum CriticalityTier
{
    A,
    B,
    C,
}
