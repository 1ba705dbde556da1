using Microsoft.EntityFrameworkCore;
using WebApi.Data;

namespace WebApi.Teams;

/// <summary>What a user may do is decided by their role in the team that owns the thing, and nothing else.</summary>
public static class TeamAccess
{
    /// <summary>What an addition of someone already in the team is told.</summary>
    public const string AlreadyMember = "The user is already a member of the team.";

    /// <summary>The user's role in the team, or null when they are not a member (then the caller answers 404).</summary>
    public static Task<TeamRole?> RoleAsync(this ReadinessDbContext db, Guid teamId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.TeamMembers
            .Where(m => m.TeamId == teamId && m.UserId == userId)
            .Select(m => (TeamRole?)m.Role)
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Ids of the teams the user belongs to.</summary>
    public static IQueryable<Guid> TeamsOf(this ReadinessDbContext db, string userId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.TeamMembers.Where(m => m.UserId == userId).Select(m => m.TeamId);
    }

    public static bool Allows(this TeamRole role, TeamRole needed) => role >= needed;

    public static string Describe(TeamRole needed) => needed switch
    {
        TeamRole.Owner => "Only the team's owners may do this.",
        TeamRole.Maintainer => "Only the team's maintainers and owners may do this.",
        _ => "Only the team's members may do this.",
    };
}
