using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Scanner;
using Scanner.Reports;
using WebApi.Audit;
using WebApi.Caching;
using WebApi.Data;
using WebApi.Reviews;

namespace WebApi.Scans;

/// <summary>
/// Writes a finished scan: its result, the evidence it gives the service's open review, and the items it puts at risk,
/// in one transaction with the audit events, and only while the worker still owns the claim.
/// </summary>
public sealed partial class ScanResults(
    IDbContextFactory<ReadinessDbContext> contextFactory,
    CacheGeneration generation,
    ScanMetrics metrics,
    TimeProvider time,
    ILogger<ScanResults> logger)
{
    private const int SummaryLength = 1000;

    // The scanner acts on its own: audit events it writes carry no actor id.
    private static readonly ClaimsPrincipal Scanner = new(new ClaimsIdentity());

    public async Task CompleteAsync(Scan scan, Guid claimToken, ScanReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(report);
        var json = ScanReportJson.Serialize(report);
        var failed = report.Failures.Count();
        var changedReview = false;
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            try
            {
                // The retrying strategy runs the whole transaction again after a transient failure, never half of it.
                var outcome = await db.Database.CreateExecutionStrategy().ExecuteAsync(
                    (db, scan, claimToken, report, json, failed),
                    async (_, state, token) => await WriteAsync(state.db, state.scan, state.claimToken, state.report, state.json, state.failed, token),
                    verifySucceeded: null,
                    cancellationToken);
                if (outcome is null)
                {
                    LogClaimLost(scan.Id);
                    return;
                }

                changedReview = outcome.Value;
                break;
            }
            catch (DbUpdateException exception) when (attempt < 3 && (exception is DbUpdateConcurrencyException || FrozenReviews.Refused(exception)))
            {
                // Someone edited an item of the review meanwhile, or completed it: read it again and apply the scan to
                // what they left (a completed review takes none).
            }
        }

        metrics.Completed(scan, report);
        if (changedReview)
        {
            await generation.BumpAsync();
        }
    }

    /// <summary>One attempt at the write, in a transaction; null when the claim was lost, else whether the review changed.</summary>
    private async Task<bool?> WriteAsync(
        ReadinessDbContext db, Scan scan, Guid claimToken, ScanReport report, string json, int failed, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var owned = await db.Scans.Where(s => s.Id == scan.Id && s.ClaimToken == claimToken && s.Status == ScanStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Status, ScanStatus.Completed)
                .SetProperty(s => s.FinishedAt, now)
                .SetProperty(s => s.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(s => s.Grade, report.Observatory.Grade.Letter)
                .SetProperty(s => s.Score, report.Observatory.Grade.Score)
                .SetProperty(s => s.ProfileGrade, report.ProfileGrade.Letter)
                .SetProperty(s => s.ProfileScore, report.ProfileGrade.Score)
                .SetProperty(s => s.ChecklistPassed, report.Checklist.Passed)
                .SetProperty(s => s.ChecklistTotal, report.Checklist.Total)
                .SetProperty(s => s.FailedChecks, failed)
                .SetProperty(s => s.Report, json), cancellationToken);
        if (owned == 0)
        {
            return null;
        }

        // A service's scan is its team's history (the team's audit chain); a scan of no service, the global one's.
        var teamId = scan.ServiceId is { } id
            ? await db.Services.Where(s => s.Id == id).Select(s => (Guid?)s.TeamId).SingleOrDefaultAsync(cancellationToken)
            : null;
        // A URL that is none of the service's environments is no evidence about them.
        var changedReview = scan.ServiceId is { } serviceId && scan.Environment != ScanTargets.AdHocEnvironment
            && await ApplyToOpenReviewAsync(db, scan, serviceId, teamId, report, now, cancellationToken);
        db.Record(Scanner, "scan.completed", "scan", scan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { scan.TargetUrl, scan.Environment, Grade = report.Observatory.Grade.Letter, report.Observatory.Grade.Score, ProfileGrade = report.ProfileGrade.Letter, FailedChecks = failed },
            teamId: teamId, serviceId: scan.ServiceId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changedReview;
    }

    public async Task FailAsync(Scan scan, Guid claimToken, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var owned = await db.Scans.Where(s => s.Id == scan.Id && s.ClaimToken == claimToken && s.Status == ScanStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Status, ScanStatus.Failed)
                .SetProperty(s => s.FinishedAt, now)
                .SetProperty(s => s.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(s => s.Error, error.Length > SummaryLength ? error[..SummaryLength] : error), cancellationToken);
        if (owned == 1)
        {
            metrics.Failed(scan);
        }
    }

    /// <summary>
    /// Replaces what earlier scans of this environment said on the open review with this scan's findings, and puts done
    /// items with a failing finding at risk. It never marks anything done: that takes a person.
    /// </summary>
    /// <remarks>
    /// The review's row is locked first (FOR KEY SHARE): a completion waits for this scan's findings, rather than freeze
    /// the review between the read and the write and have them refused (and the write tried again). The team's audit
    /// chain comes last, as in every save (see <see cref="ReadinessDbContext.SaveChangesAsync(bool, CancellationToken)"/>).
    /// </remarks>
    private static async Task<bool> ApplyToOpenReviewAsync(
        ReadinessDbContext db, Scan scan, Guid serviceId, Guid? teamId, ScanReport report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await db.Database
            .SqlQuery<Guid>($"""SELECT "Id" AS "Value" FROM "Reviews" WHERE "ServiceId" = {serviceId} AND "State" = 'Open' FOR KEY SHARE""")
            .ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return false;
        }

        var review = await db.Reviews.Include(r => r.Items).SingleAsync(r => r.Id == open[0], cancellationToken);

        await db.ScanObservations.Where(o => o.ReviewId == review.Id && o.Environment == scan.Environment).ExecuteDeleteAsync(cancellationToken);
        var items = review.Items.ToDictionary(item => item.ItemId, StringComparer.Ordinal);
        var mapped = report.Findings.Where(f => f.Severity != Severity.Info && items.ContainsKey(f.ChecklistItem)).ToList();
        foreach (var finding in mapped)
        {
            db.ScanObservations.Add(new ScanObservation
            {
                ReviewId = review.Id,
                ItemId = finding.ChecklistItem,
                Environment = scan.Environment,
                ScanId = scan.Id,
                FindingId = finding.Id,
                Passed = finding.Passed,
                Summary = Summarize(scan, finding),
                SeenAt = now,
            });
        }

        var atRisk = false;
        foreach (var failing in mapped.Where(f => !f.Passed).GroupBy(f => f.ChecklistItem))
        {
            var item = items[failing.Key];
            if (item.Status != ItemStatus.Done)
            {
                continue;
            }

            var reason = Truncate($"scan #{scan.Id} of {scan.Environment}: {string.Join("; ", failing.Select(f => $"{f.Title} failed ({f.Evidence})"))}");
            db.Record(Scanner, "review.item.at-risk", "review-item", $"{review.Id}/{item.ItemId}",
                new { item.Status }, new { Status = ItemStatus.AtRisk, RiskReason = reason }, teamId: teamId, serviceId: serviceId, reviewId: review.Id);
            item.Status = ItemStatus.AtRisk;
            item.RiskReason = reason;
            item.UpdatedAt = now;
            atRisk = true;
        }

        return atRisk;
    }

    private static string Summarize(Scan scan, Finding finding) => Truncate(finding.Passed
        ? $"scan #{scan.Id} of {scan.Environment}: {finding.Title} passed: {finding.Evidence}"
        : $"scan #{scan.Id} of {scan.Environment}: {finding.Title} failed: {finding.Evidence}. Fix: {finding.Fix}");

    private static string Truncate(string text) => text.Length <= SummaryLength ? text : string.Concat(text.AsSpan(0, SummaryLength - 1), "…");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan {ScanId} finished after its claim passed to another worker; its result was dropped")]
    private partial void LogClaimLost(long scanId);
}
