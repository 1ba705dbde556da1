using System.ComponentModel.DataAnnotations;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Teams;

public sealed record CreateTeamRequest(
    [property: Required, MinLength(1), MaxLength(Limits.Name)] string Name,
    [property: Required, Slug] string Slug);

public sealed record AddMemberRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required] TeamRole? Role);

public sealed record ChangeRoleRequest([property: Required] TeamRole? Role);

public sealed record TeamResponse(Guid Id, string Name, string Slug, TeamRole MyRole, DateTimeOffset CreatedAt, string Etag);

public sealed record MemberResponse(string UserId, string Email, TeamRole Role, DateTimeOffset AddedAt, string Etag);

public sealed record TeamDetailResponse(Guid Id, string Name, string Slug, TeamRole MyRole, DateTimeOffset CreatedAt, IReadOnlyList<MemberResponse> Members, string Etag);

/// <summary>Bound from <c>Teams</c>.</summary>
public sealed class TeamOptions
{
    /// <summary>
    /// How many members a team may have. The team's answer, its page and a review's list of assignees hold every
    /// member at once; the bound keeps them a size one answer carries and one list can be read in.
    /// </summary>
    public int MaxMembers { get; set; } = 200;

    /// <summary>
    /// How many teams one person may belong to, those they create included. Their list of teams, and the team
    /// picker of every service form, hold all of them at once.
    /// </summary>
    public int MaxTeamsPerPerson { get; set; } = 100;
}
