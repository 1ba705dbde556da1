namespace WebApi.Teams;

public sealed class Team
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>PostgreSQL's <c>xmin</c>: changes with every update, so it is the row's entity tag and concurrency token.</summary>
    public uint Version { get; set; }

    public List<TeamMember> Members { get; init; } = [];
}

public sealed class TeamMember
{
    public Guid TeamId { get; init; }
    public required string UserId { get; init; }
    public TeamRole Role { get; set; }
    public DateTimeOffset AddedAt { get; init; }
    public uint Version { get; set; }
}

/// <summary>Ordered by power: each role may do everything the ones below it may.</summary>
public enum TeamRole
{
    Viewer = 0,
    Maintainer = 1,
    Owner = 2,
}
