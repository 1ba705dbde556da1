using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using WebApi.Reviews;
using WebApi.Services;
using WebApi.Teams;

namespace WebApi.Data;

/// <summary>
/// Something to look at for a new user of a development or local run: a demo team with two services and a review
/// under way, which every new account joins as a viewer. Never in a deployment: <c>Seed:DemoData</c> is on only in
/// Development and in the AppHost's local run, and the deploy check reports it anywhere else.
/// </summary>
public static class DemoData
{
    public const string TeamSlug = "demo";
    private const string OwnerEmail = "demo-owner@readiness.invalid";

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue("Seed:DemoData", environment.IsDevelopment());

    /// <summary>Adds the demo data once; a later run finds the team and changes nothing.</summary>
    public static async Task SeedAsync(ReadinessDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await db.Teams.AnyAsync(t => t.Slug == TeamSlug, cancellationToken))
        {
            return;
        }

        var now = time.GetUtcNow();
        // An owner who cannot sign in (no password): waivers in the demo have someone to name as approver.
        var owner = new IdentityUser
        {
            UserName = OwnerEmail,
            NormalizedUserName = OwnerEmail.ToUpperInvariant(),
            Email = OwnerEmail,
            NormalizedEmail = OwnerEmail.ToUpperInvariant(),
            EmailConfirmed = true,
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        db.Users.Add(owner);

        var team = new Team { Name = "Demo team", Slug = TeamSlug, CreatedAt = now };
        team.Members.Add(new TeamMember { TeamId = team.Id, UserId = owner.Id, Role = TeamRole.Owner, AddedAt = now });
        db.Teams.Add(team);

        var checkout = new RegisteredService
        {
            TeamId = team.Id,
            Name = "Demo checkout",
            Slug = "demo-checkout",
            Description = "Takes payments. Tier A: every checklist item must be done or waived.",
            RepositoryUrl = "https://example.com/demo/checkout",
            Tags = ["payments", "demo"],
            Environments = [new ServiceEnvironment { Name = "production", BaseUrl = "https://localhost:8443" }],
            Tier = CriticalityTier.A,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var catalog = new RegisteredService
        {
            TeamId = team.Id,
            Name = "Demo catalog",
            Slug = "demo-catalog",
            Description = "Serves the product catalog. Tier C.",
            Tags = ["catalog", "demo"],
            Tier = CriticalityTier.C,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Services.AddRange(checkout, catalog);

        var checklist = await db.Checklists.WithSectionsAndItems().SingleAsync(c => c.Id == ChecklistSeed.ChecklistId, cancellationToken);
        var review = Review.Start(checklist, checkout.Id, owner.Id, now);
        // A review under way: some items done, one in progress, one waived until next quarter.
        foreach (var item in review.Items)
        {
            item.Status = item.Order switch { < 6 => ItemStatus.Done, 6 => ItemStatus.InProgress, 7 => ItemStatus.Waived, _ => ItemStatus.NotStarted };
            item.Notes = item.Order == 0 ? "nginx balances across **both** replicas; see `Proxy/templates`." : "";
            item.Waiver = item.Order == 7
                ? new Waiver { Reason = "Covered by the platform team's shared setup.", RequestedBy = owner.Id, ApproverId = owner.Id, ExpiresOn = DateOnly.FromDateTime(now.UtcDateTime).AddDays(90), ApprovedAt = now }
                : null;
        }

        db.Reviews.Add(review);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A new account joins the demo team as a viewer, so the first page it sees is not empty.</summary>
    public static async Task JoinAsync(ReadinessDbContext db, string userId, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var teamId = await db.Teams.Where(t => t.Slug == TeamSlug).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(cancellationToken);
        if (teamId is { } id && !await db.TeamMembers.AnyAsync(m => m.TeamId == id && m.UserId == userId, cancellationToken))
        {
            db.TeamMembers.Add(new TeamMember { TeamId = id, UserId = userId, Role = TeamRole.Viewer, AddedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
