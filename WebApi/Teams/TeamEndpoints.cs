using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Caching;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Teams;

/// <summary><c>/api/teams</c>: teams and their members. Owners manage members; every member reads.</summary>
public static class TeamEndpoints
{
    public static IHostApplicationBuilder AddTeams(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TeamOptions>()
            .Bind(builder.Configuration.GetSection("Teams"))
            .Validate(o => o.MaxMembers is >= 1 and <= 10_000, "Teams:MaxMembers must be from 1 to 10000.")
            .Validate(o => o.MaxTeamsPerPerson is >= 1 and <= 10_000, "Teams:MaxTeamsPerPerson must be from 1 to 10000.")
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapTeamEndpoints(this IEndpointRouteBuilder routes)
    {
        var teams = routes.MapGroup("/api/teams").WithTags("Teams");
        teams.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.Read);
        // 409: the caller belongs to Teams:MaxTeamsPerPerson teams already.
        teams.MapPost("/", CreateAsync).RequireAuthorization(AccessPolicies.Write).WithIdempotencyKey().ProducesProblem(StatusCodes.Status409Conflict);
        teams.MapGet("/{teamId:guid}", GetAsync).RequireAuthorization(AccessPolicies.Read);
        // 409: the team still owns services; for a member, the change would leave the team without an owner.
        teams.MapDelete("/{teamId:guid}", DeleteAsync).RequireAuthorization(AccessPolicies.Write).ProducesProblem(StatusCodes.Status409Conflict);
        // 409: the person is a member already, the team has Teams:MaxMembers members, or the person belongs to
        // Teams:MaxTeamsPerPerson teams.
        teams.MapPost("/{teamId:guid}/members", AddMemberAsync).RequireAuthorization(AccessPolicies.Write).WithIdempotencyKey().ProducesProblem(StatusCodes.Status409Conflict);
        teams.MapGet("/{teamId:guid}/members/{userId}", GetMemberAsync).RequireAuthorization(AccessPolicies.Read);
        teams.MapPatch("/{teamId:guid}/members/{userId}", ChangeRoleAsync).RequireAuthorization(AccessPolicies.Write).ProducesProblem(StatusCodes.Status409Conflict);
        teams.MapDelete("/{teamId:guid}/members/{userId}", RemoveMemberAsync).RequireAuthorization(AccessPolicies.Write).ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static async Task<Ok<List<TeamResponse>>> ListAsync(HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var teams = await db.TeamMembers.AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => new { Team = t, m.Role })
            .OrderBy(x => x.Team.Name)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(teams.Select(x => ToResponse(x.Team, x.Role)).ToList());
    }

    private static async Task<Results<Created<TeamResponse>, ProblemHttpResult>> CreateAsync(
        CreateTeamRequest request, HttpContext http, ReadinessDbContext db, CacheGeneration generation, IOptions<TeamOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var userId = http.User.UserId();
        var team = new Team { Name = request.Name.Trim(), Slug = request.Slug, CreatedAt = now };
        team.Members.Add(new TeamMember { TeamId = team.Id, UserId = userId, Role = TeamRole.Owner, AddedAt = now });
        db.Teams.Add(team);
        db.Record(http.User, "team.created", "team", team.Id.ToString(), null, new { team.Name, team.Slug }, teamId: team.Id);
        var max = options.Value.MaxTeamsPerPerson;
        var refused = await db.SaveInTransactionAsync(async token => await BelongsToMostTeamsAsync(db, userId, max, token)
            ? ProblemDetailsResponse.Conflict($"You belong to {max} teams, the most one person may; leave one to create another.")
            : null, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        await generation.BumpAsync();

        http.Response.SetETag(team.Version);
        return TypedResults.Created($"/api/teams/{team.Id}", ToResponse(team, TeamRole.Owner));
    }

    /// <summary>
    /// Whether the person belongs to <paramref name="max"/> teams already. Their account's row is held until the
    /// commit, so two memberships for their last place count one after the other; it is a lock the foreign keys of
    /// their memberships do not wait for.
    /// </summary>
    private static async Task<bool> BelongsToMostTeamsAsync(ReadinessDbContext db, string userId, int max, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "AspNetUsers" WHERE "Id" = {userId} FOR NO KEY UPDATE""", cancellationToken);
        return await db.TeamMembers.CountAsync(m => m.UserId == userId, cancellationToken) >= max;
    }

    private static async Task<Results<Ok<TeamDetailResponse>, ProblemHttpResult>> GetAsync(
        Guid teamId, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var role = await db.RoleAsync(teamId, http.User.UserId(), cancellationToken);
        var team = role is null ? null : await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null || role is null)
        {
            return ProblemDetailsResponse.NotFound("team");
        }

        var members = await MembersAsync(db, teamId, cancellationToken);
        // The entity tag is the team row's (for If-Match), which a change of members leaves as it is: a browser that
        // revalidated by it would be told 304 (by the proxy) and keep showing the members it had.
        http.Response.Headers.CacheControl = "private, no-store";
        http.Response.SetETag(team.Version);
        return TypedResults.Ok(new TeamDetailResponse(team.Id, team.Name, team.Slug, role.Value, team.CreatedAt, members, Preconditions.ETag(team.Version)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid teamId, HttpContext http, ReadinessDbContext db, CacheGeneration generation, CancellationToken cancellationToken)
    {
        var role = await db.RoleAsync(teamId, http.User.UserId(), cancellationToken);
        var team = role is null ? null : await db.Teams.SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null || role is null)
        {
            return ProblemDetailsResponse.NotFound("team");
        }

        if (!role.Value.Allows(TeamRole.Owner))
        {
            return ProblemDetailsResponse.Forbidden(TeamAccess.Describe(TeamRole.Owner));
        }

        if (http.Request.CheckIfMatch(team.Version, out var expected) is { } failed)
        {
            return failed;
        }

        db.ExpectVersion(team, expected);
        db.Teams.Remove(team);
        db.Record(http.User, "team.deleted", "team", team.Id.ToString(), new { team.Name, team.Slug }, null, teamId: team.Id);
        var refused = await db.SaveInTransactionAsync(async token =>
        {
            // The team's row first, as an addition of a member takes it, and only then the audit chain's lock: in the
            // same order, the two wait for each other instead of deadlocking. Held, no service can be registered to
            // the team until the delete ends, so the count below stays true.
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Teams" WHERE "Id" = {teamId} FOR UPDATE""", token);
            return await db.Services.AnyAsync(s => s.TeamId == teamId, token)
                ? ProblemDetailsResponse.Conflict("The team still owns services; delete them or move them to another team first.")
                : null;
        }, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        await generation.BumpAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<MemberResponse>, ProblemHttpResult, ValidationProblem>> AddMemberAsync(
        Guid teamId, AddMemberRequest request, HttpContext http, ReadinessDbContext db, UserManager<IdentityUser> users,
        CacheGeneration generation, IOptions<TeamOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var role = await db.RoleAsync(teamId, http.User.UserId(), cancellationToken);
        if (role is null)
        {
            return ProblemDetailsResponse.NotFound("team");
        }

        if (!role.Value.Allows(TeamRole.Owner))
        {
            return ProblemDetailsResponse.Forbidden(TeamAccess.Describe(TeamRole.Owner));
        }

        var user = await users.FindByEmailAsync(request.Email);
        // An address signed up but not confirmed may be anyone's (whoever typed it), and a reset by its mailbox takes it
        // back: until then it gets nothing of a team's. Answered as an unknown address, so the answer tells no one
        // which of the two it is.
        if (user is null || (users.Options.SignIn.RequireConfirmedEmail && !await users.IsEmailConfirmedAsync(user)))
        {
            return ProblemDetailsResponse.Invalid("email", "No account with a confirmed address has this email; ask the person to sign up and confirm it first.");
        }

        var member = new TeamMember { TeamId = teamId, UserId = user.Id, Role = request.Role!.Value, AddedAt = time.GetUtcNow() };
        db.TeamMembers.Add(member);
        db.Record(http.User, "member.added", "member", $"{teamId}/{user.Id}", null, new { user.Email, member.Role }, teamId: teamId);
        var (max, maxTeams) = (options.Value.MaxMembers, options.Value.MaxTeamsPerPerson);
        var refused = await db.SaveInTransactionAsync(async token =>
        {
            // The team's row, held until the commit: two additions for the last place count one after the other.
            if (!await db.Database.LockRowAsync($"""SELECT 1 AS "Value" FROM "Teams" WHERE "Id" = {teamId} FOR NO KEY UPDATE""", token))
            {
                // Deleted since the caller's role was read.
                return ProblemDetailsResponse.NotFound("team");
            }

            // Already in: the answer says so, full team or not (PK_TeamMembers says the same to a racing duplicate).
            if (await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == user.Id, token))
            {
                return ProblemDetailsResponse.Conflict(TeamAccess.AlreadyMember);
            }

            if (await db.TeamMembers.CountAsync(m => m.TeamId == teamId, token) >= max)
            {
                return ProblemDetailsResponse.Conflict($"The team has {max} members, the most a team may have; remove one to add another.");
            }

            // The team's row, then the person's: every path that takes both takes them in this order.
            return await BelongsToMostTeamsAsync(db, user.Id, maxTeams, token)
                ? ProblemDetailsResponse.Conflict($"The person belongs to {maxTeams} teams, the most one person may; they must leave one first.")
                : null;
        }, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        await generation.BumpAsync();

        http.Response.SetETag(member.Version);
        return TypedResults.Created($"/api/teams/{teamId}/members/{user.Id}", new MemberResponse(user.Id, user.Email!, member.Role, member.AddedAt, Preconditions.ETag(member.Version)));
    }

    /// <summary>One member, for any member of the team: where the <c>Location</c> of an added member points.</summary>
    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetMemberAsync(
        Guid teamId, string userId, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        if (await db.RoleAsync(teamId, http.User.UserId(), cancellationToken) is null)
        {
            return ProblemDetailsResponse.NotFound("team");
        }

        var member = (await MembersAsync(db, teamId, cancellationToken, userId)).SingleOrDefault();
        if (member is null)
        {
            return ProblemDetailsResponse.NotFound("member");
        }

        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.Headers.ETag = member.Etag;
        return TypedResults.Ok(member);
    }

    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeRoleAsync(
        Guid teamId, string userId, ChangeRoleRequest request, HttpContext http, ReadinessDbContext db, CacheGeneration generation, CancellationToken cancellationToken)
    {
        var (member, problem) = await FindMemberForOwnerAsync(teamId, userId, http, db, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (http.Request.CheckIfMatch(member!.Version, out var expected) is { } failed)
        {
            return failed;
        }

        var newRole = request.Role!.Value;
        var losesAnOwner = member.Role == TeamRole.Owner && newRole != TeamRole.Owner;
        var before = new { member.Role };
        db.ExpectVersion(member, expected);
        member.Role = newRole;
        db.Record(http.User, "member.role-changed", "member", $"{teamId}/{userId}", before, new { member.Role }, teamId: teamId);
        if (await SaveKeepingAnOwnerAsync(db, teamId, losesAnOwner, cancellationToken) is { } lastOwner)
        {
            return lastOwner;
        }

        await generation.BumpAsync();

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(cancellationToken);
        http.Response.SetETag(member.Version);
        return TypedResults.Ok(new MemberResponse(userId, email!, member.Role, member.AddedAt, Preconditions.ETag(member.Version)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        Guid teamId, string userId, HttpContext http, ReadinessDbContext db, CacheGeneration generation, CancellationToken cancellationToken)
    {
        var (member, problem) = await FindMemberForOwnerAsync(teamId, userId, http, db, cancellationToken, allowSelf: true);
        if (problem is not null)
        {
            return problem;
        }

        if (http.Request.CheckIfMatch(member!.Version, out var expected) is { } failed)
        {
            return failed;
        }

        db.ExpectVersion(member, expected);
        db.TeamMembers.Remove(member);
        db.Record(http.User, "member.removed", "member", $"{teamId}/{userId}", new { member.Role }, null, teamId: teamId);
        if (await SaveKeepingAnOwnerAsync(db, teamId, member.Role == TeamRole.Owner, cancellationToken) is { } lastOwner)
        {
            return lastOwner;
        }

        await generation.BumpAsync();
        return TypedResults.NoContent();
    }

    /// <summary>The member to change, when the caller is one of the team's owners (or, with <paramref name="allowSelf"/>, the member).</summary>
    private static async Task<(TeamMember? Member, ProblemHttpResult? Problem)> FindMemberForOwnerAsync(
        Guid teamId, string userId, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken, bool allowSelf = false)
    {
        var callerId = http.User.UserId();
        var role = await db.RoleAsync(teamId, callerId, cancellationToken);
        if (role is null)
        {
            return (null, ProblemDetailsResponse.NotFound("team"));
        }

        if (!role.Value.Allows(TeamRole.Owner) && !(allowSelf && callerId == userId))
        {
            return (null, ProblemDetailsResponse.Forbidden(TeamAccess.Describe(TeamRole.Owner)));
        }

        var member = await db.TeamMembers.SingleOrDefaultAsync(m => m.TeamId == teamId && m.UserId == userId, cancellationToken);
        return member is null ? (null, ProblemDetailsResponse.NotFound("member")) : (member, null);
    }

    /// <summary>
    /// Saves the pending change unless it takes the team's last owner away. Changes that take an owner away lock the
    /// team's row first and so take turns: two owners leaving at once cannot each count the other and leave none.
    /// </summary>
    private static async Task<ProblemHttpResult?> SaveKeepingAnOwnerAsync(
        ReadinessDbContext db, Guid teamId, bool losesAnOwner, CancellationToken cancellationToken)
    {
        if (!losesAnOwner)
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }

        return await db.SaveInTransactionAsync(async token =>
        {
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Teams" WHERE "Id" = {teamId} FOR UPDATE""", token);
            return await db.TeamMembers.CountAsync(m => m.TeamId == teamId && m.Role == TeamRole.Owner, token) <= 1
                ? ProblemDetailsResponse.Conflict("A team must keep at least one owner; make someone else owner first.")
                : null;
        }, cancellationToken);
    }

    private static async Task<List<MemberResponse>> MembersAsync(ReadinessDbContext db, Guid teamId, CancellationToken cancellationToken, string? userId = null) =>
        (await db.TeamMembers.AsNoTracking()
            .Where(m => m.TeamId == teamId && (userId == null || m.UserId == userId))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m, u.Email })
            .OrderBy(x => x.Email)
            .ToListAsync(cancellationToken))
        .Select(x => new MemberResponse(x.m.UserId, x.Email!, x.m.Role, x.m.AddedAt, Preconditions.ETag(x.m.Version)))
        .ToList();

    private static TeamResponse ToResponse(Team team, TeamRole role) =>
        new(team.Id, team.Name, team.Slug, role, team.CreatedAt, Preconditions.ETag(team.Version));
}
