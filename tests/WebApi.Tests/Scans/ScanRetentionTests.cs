using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebApi.Data;
using WebApi.Reviews;
using WebApi.Scans;
using WebApi.Services;
using WebApi.Teams;
using WebApi.Tests.Data;

namespace WebApi.Tests.Scans;

/// <summary><see cref="ScanRetention"/> against a real PostgreSQL: what goes, and what a grade or a review still needs.</summary>
public sealed class ScanRetentionTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = Now - TimeSpan.FromDays(90);

    [Fact]
    public async Task Old_scans_go_but_each_environment_keeps_its_latest_grade_and_failure_and_a_review_keeps_the_scans_it_cites()
    {
        using var host = OneConnectionHost.Build(server);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        var team = new Team { Name = "Retention", Slug = $"team-{Guid.NewGuid():N}"[..20], CreatedAt = Now };
        var service = NewService(team, "checkout");
        var other = NewService(team, "payments");
        db.Teams.Add(team);
        db.Services.AddRange(service, other);
        var checklist = await db.Checklists.WithSectionsAndItems().SingleAsync(c => c.Id == ChecklistSeed.ChecklistId);
        var review = Review.Start(checklist, service.Id, "tester", Now);
        db.Reviews.Add(review);
        await db.SaveChangesAsync();

        // production: an old history, its latest grade and its latest failure both older than the retention.
        var replacedGrade = Finished(service, "production", ScanStatus.Completed, 200);
        var cited = Finished(service, "production", ScanStatus.Completed, 150);
        var failedBeforeGrade = Finished(service, "production", ScanStatus.Failed, 120);
        var latestGrade = Finished(service, "production", ScanStatus.Completed, 100);
        var replacedFailure = Finished(service, "production", ScanStatus.Failed, 95);
        var latestFailure = Finished(service, "production", ScanStatus.Failed, 91);
        // Another service's environment of the same name is not a later scan of this one.
        var otherRecent = Finished(other, "production", ScanStatus.Completed, 1);
        // staging: more old scans than one batch deletes, then a recent grade.
        var oldStaging = Enumerable.Range(0, ScanRetention.BatchSize + 20)
            .Select(i => Finished(service, "staging", ScanStatus.Completed, 100 + (i / 10.0)))
            .ToList();
        var recentStaging = Finished(service, "staging", ScanStatus.Completed, 2);
        // The deployment's scans of itself, which have no service.
        var oldSelf = Finished(null, ScanScheduler.SelfEnvironment, ScanStatus.Completed, 120);
        var newerOldSelf = Finished(null, ScanScheduler.SelfEnvironment, ScanStatus.Completed, 110);
        var running = new Scan
        {
            ServiceId = service.Id,
            Environment = "qa",
            TargetUrl = "https://qa.example.test/",
            Status = ScanStatus.Running,
            QueuedAt = Now - TimeSpan.FromDays(300),
            StartedAt = Now - TimeSpan.FromDays(300),
        };
        db.Scans.AddRange([replacedGrade, cited, failedBeforeGrade, latestGrade, replacedFailure, latestFailure, otherRecent,
            .. oldStaging, recentStaging, oldSelf, newerOldSelf, running]);
        await db.SaveChangesAsync();
        db.ScanObservations.Add(new ScanObservation
        {
            ReviewId = review.Id,
            ItemId = review.Items[0].ItemId,
            Environment = "production",
            ScanId = cited.Id,
            FindingId = "hsts",
            Passed = true,
            Summary = $"scan #{cited.Id}: HSTS seen",
            SeenAt = cited.FinishedAt!.Value,
        });
        await db.SaveChangesAsync();

        var deleted = await ScanRetention.PruneAsync(db, Cutoff, CancellationToken.None);

        long[] gone = [replacedGrade.Id, failedBeforeGrade.Id, replacedFailure.Id, .. oldStaging.Select(s => s.Id), oldSelf.Id];
        long[] kept = [cited.Id, latestGrade.Id, latestFailure.Id, otherRecent.Id, recentStaging.Id, newerOldSelf.Id, running.Id];
        Assert.Equal(gone.Length, deleted);
        var left = await db.Scans.AsNoTracking().Select(s => s.Id).ToListAsync();
        Assert.Equal(kept.Order(), left.Order());
        Assert.Equal(1, await db.ScanObservations.CountAsync(o => o.ScanId == cited.Id));

        // Run again, nothing more is old enough to go.
        Assert.Equal(0, await ScanRetention.PruneAsync(db, Cutoff, CancellationToken.None));
    }

    private static RegisteredService NewService(Team team, string name) => new()
    {
        TeamId = team.Id,
        Name = name,
        Slug = $"{name}-{Guid.NewGuid():N}"[..20],
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private static Scan Finished(RegisteredService? service, string environment, ScanStatus status, double daysAgo)
    {
        var finishedAt = Now - TimeSpan.FromDays(daysAgo);
        return new Scan
        {
            ServiceId = service?.Id,
            Environment = environment,
            TargetUrl = $"https://{environment}.example.test/",
            Status = status,
            QueuedAt = finishedAt - TimeSpan.FromMinutes(1),
            StartedAt = finishedAt - TimeSpan.FromSeconds(30),
            FinishedAt = finishedAt,
            Grade = status == ScanStatus.Completed ? "B" : null,
            Score = status == ScanStatus.Completed ? 70 : null,
            Error = status == ScanStatus.Failed ? "Connection refused." : null,
        };
    }
}
