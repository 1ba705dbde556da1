using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scanner;
using Scanner.Grading;
using Scanner.Reports;
using WebApi.Accounts;
using WebApi.Data;
using WebApi.Http;
using WebApi.Services;
using WebApi.Teams;

namespace WebApi.Scans;

/// <summary>
/// Scans of a service's deployments, and of this deployment itself. Queuing answers at once (202); the worker runs the
/// scan and the result appears on <c>GET .../scans/{scanId}</c>.
/// </summary>
public static class ScanEndpoints
{
    public static IEndpointRouteBuilder MapScanEndpoints(this IEndpointRouteBuilder routes)
    {
        var ofService = routes.MapGroup("/api/services/{serviceId:guid}/scans").WithTags("Scans");
        // 409: a scan of the same URL with the other profile is queued or running.
        ofService.MapPost("/", QueueAsync).RequireAuthorization(AccessPolicies.Write).AddEndpointFilter<ScanQuotaFilter>().ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status409Conflict);
        ofService.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.Read);
        ofService.MapGet("/history", HistoryAsync).RequireAuthorization(AccessPolicies.Read);
        ofService.MapGet("/{scanId:long}", GetAsync).RequireAuthorization(AccessPolicies.Read);

        // The deployment grades itself; any signed-in user may read the grade or ask for a fresh one.
        var self = routes.MapGroup("/api/self/scans").WithTags("Scans");
        self.MapPost("/", QueueSelfAsync).RequireAuthorization(AccessPolicies.Write).AddEndpointFilter<ScanQuotaFilter>().ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status404NotFound);
        self.MapGet("/", ListSelfAsync).RequireAuthorization(AccessPolicies.Read);
        self.MapGet("/history", SelfHistoryAsync).RequireAuthorization(AccessPolicies.Read);
        self.MapGet("/{scanId:long}", GetSelfAsync).RequireAuthorization(AccessPolicies.Read);

        // The grades of a page of services at once, for a list's badges (one call instead of one per service).
        routes.MapGroup("/api/scans").WithTags("Scans")
            .MapGet("/latest", LatestAsync).RequireAuthorization(AccessPolicies.Read);
        return routes;
    }

    private static async Task<Results<Accepted<ScanSummaryResponse>, Ok<ScanSummaryResponse>, ProblemHttpResult, ValidationProblem>> QueueAsync(
        Guid serviceId, QueueScanRequest request, HttpContext http, ReadinessDbContext db, ScanQueue queue, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (service, problem) = await ServiceEndpoints.FindForAsync(db, serviceId, http.User.UserId(), TeamRole.Maintainer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        ScanRequestTarget target;
        switch (request)
        {
            case { Environment: { } name, Url: null }:
                var environment = service!.Environments.FirstOrDefault(e => e.Name == name);
                if (environment is null)
                {
                    return ProblemDetailsResponse.Invalid("environment",
                        $"The service has no environment \"{name}\"; it has: {string.Join(", ", service.Environments.Select(e => e.Name).DefaultIfEmpty("none"))}.");
                }

                target = new(serviceId, environment.Name, ScanTargets.Normalize(environment.BaseUrl), request.Profile ?? environment.Profile);
                break;
            case { Environment: null, Url: { } url }:
                var matching = service!.Environments.FirstOrDefault(e => ScanTargets.Normalize(e.BaseUrl) == ScanTargets.Normalize(url));
                target = new(serviceId, matching?.Name ?? ScanTargets.AdHocEnvironment, ScanTargets.Normalize(url), request.Profile ?? matching?.Profile ?? ScanProfile.Web);
                break;
            default:
                return ProblemDetailsResponse.Invalid("environment", "Give either an environment of the service or a url, not both.");
        }

        if (target.TargetUrl.Length > Limits.Url)
        {
            // Only an environment stored before its escaped URL had to fit can get here.
            return ProblemDetailsResponse.Invalid("environment",
                $"The environment's URL is longer than {Limits.Url} characters once escaped; shorten it on the service first.");
        }

        return await QueueTargetAsync(target, http, queue, time, cancellationToken);
    }

    private static async Task<Results<Accepted<ScanSummaryResponse>, Ok<ScanSummaryResponse>, ProblemHttpResult, ValidationProblem>> QueueSelfAsync(
        HttpContext http, ScanQueue queue, SelfScanTarget self, TimeProvider time, CancellationToken cancellationToken)
    {
        if (self.Target is not { } target)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: "This deployment has no public URL to scan (Scans:SelfUrl or PublicOrigin).");
        }

        return await QueueTargetAsync(target, http, queue, time, cancellationToken);
    }

    private static async Task<Results<Accepted<ScanSummaryResponse>, Ok<ScanSummaryResponse>, ProblemHttpResult, ValidationProblem>> QueueTargetAsync(
        ScanRequestTarget target, HttpContext http, ScanQueue queue, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await queue.EnqueueAsync(target.ToScan(ScanTrigger.Manual, http.User.UserId(), time.GetUtcNow()), cancellationToken) is not ({ } scan, var created))
        {
            // Deleted since the caller's role was read.
            return ProblemDetailsResponse.NotFound("service");
        }

        if (!created && scan.Profile != target.Profile)
        {
            // Answering with that scan would drop the profile asked for without a word.
            return ProblemDetailsResponse.Conflict(
                $"A scan of this URL as {Describe(scan.Profile)} is queued or running (scan #{scan.Id}); ask for one as {Describe(target.Profile)} once it has finished.");
        }

        var response = ToSummary(scan);
        // A scan of the same target already queued or running answers instead of a second one.
        return created ? TypedResults.Accepted(LocationOf(scan), response) : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<Page<ScanSummaryResponse>>, ProblemHttpResult>> ListAsync(
        Guid serviceId, [AsParameters] ScanListQuery query, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var (_, problem) = await ServiceEndpoints.FindForAsync(db, serviceId, http.User.UserId(), TeamRole.Viewer, cancellationToken);
        return problem ?? (Results<Ok<Page<ScanSummaryResponse>>, ProblemHttpResult>)TypedResults.Ok(
            await LoadPageAsync(db.Scans.Where(s => s.ServiceId == serviceId), query, cancellationToken));
    }

    private static async Task<Ok<Page<ScanSummaryResponse>>> ListSelfAsync(
        [AsParameters] ScanListQuery query, ReadinessDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await LoadPageAsync(db.Scans.Where(s => s.ServiceId == null), query, cancellationToken));

    private static async Task<Results<Ok<ScanResponse>, ProblemHttpResult>> GetAsync(
        Guid serviceId, long scanId, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var (_, problem) = await ServiceEndpoints.FindForAsync(db, serviceId, http.User.UserId(), TeamRole.Viewer, cancellationToken);
        return problem ?? await FindAsync(db.Scans.Where(s => s.ServiceId == serviceId && s.Id == scanId), db, cancellationToken);
    }

    private static Task<Results<Ok<ScanResponse>, ProblemHttpResult>> GetSelfAsync(long scanId, ReadinessDbContext db, CancellationToken cancellationToken) =>
        FindAsync(db.Scans.Where(s => s.ServiceId == null && s.Id == scanId), db, cancellationToken);

    private static async Task<Results<Ok<List<ScanHistoryPoint>>, ProblemHttpResult>> HistoryAsync(
        Guid serviceId, [AsParameters] ScanHistoryQuery query, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var (_, problem) = await ServiceEndpoints.FindForAsync(db, serviceId, http.User.UserId(), TeamRole.Viewer, cancellationToken);
        return problem ?? (Results<Ok<List<ScanHistoryPoint>>, ProblemHttpResult>)TypedResults.Ok(
            await LoadHistoryAsync(db.Scans.Where(s => s.ServiceId == serviceId), query, cancellationToken));
    }

    private static async Task<Ok<List<ScanHistoryPoint>>> SelfHistoryAsync(
        [AsParameters] ScanHistoryQuery query, ReadinessDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await LoadHistoryAsync(db.Scans.Where(s => s.ServiceId == null), query, cancellationToken));

    private static async Task<Ok<List<LatestScanResponse>>> LatestAsync(
        [AsParameters] LatestScansQuery query, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var ids = query.ServiceId!.Distinct().ToList();
        var visible = db.Services.Where(s => ids.Contains(s.Id) && db.TeamsOf(http.User.UserId()).Contains(s.TeamId)).Select(s => s.Id);
        var completed = db.Scans.Where(s => s.ServiceId != null && visible.Contains(s.ServiceId.Value) && s.Status == ScanStatus.Completed
            && s.Environment != ScanTargets.AdHocEnvironment);
        // Ids grow with queueing: the highest completed id per environment is its latest result.
        var latestIds = completed.GroupBy(s => new { s.ServiceId, s.Environment }).Select(g => g.Max(s => s.Id));
        var latest = await db.Scans.AsNoTracking()
            .Where(s => latestIds.Contains(s.Id))
            .OrderBy(s => s.ServiceId).ThenBy(s => s.Environment)
            .Select(s => new LatestScanResponse(s.ServiceId!.Value, s.Environment, s.Id, s.Grade!, s.Score!.Value, s.ProfileGrade!, s.ProfileScore!.Value, s.FinishedAt!.Value))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(latest);
    }

    private static async Task<Page<ScanSummaryResponse>> LoadPageAsync(IQueryable<Scan> scans, ScanListQuery query, CancellationToken cancellationToken)
    {
        if (query.Environment is { } environment)
        {
            scans = scans.Where(s => s.Environment == environment);
        }

        if (query.Status is { } status)
        {
            scans = scans.Where(s => s.Status == status);
        }

        var paging = query.Paging;
        var total = await scans.CountAsync(cancellationToken);
        var rows = await scans.AsNoTracking().OrderByDescending(s => s.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return new Page<ScanSummaryResponse>([.. rows.Select(ToSummary)], paging.Number, paging.Size, total);
    }

    private static async Task<List<ScanHistoryPoint>> LoadHistoryAsync(IQueryable<Scan> scans, ScanHistoryQuery query, CancellationToken cancellationToken)
    {
        if (query.Environment is { } environment)
        {
            scans = scans.Where(s => s.Environment == environment);
        }

        var points = await scans.AsNoTracking()
            .Where(s => s.Status == ScanStatus.Completed)
            .OrderByDescending(s => s.FinishedAt)
            .Take(query.Limit ?? 100)
            .Select(s => new ScanHistoryPoint(
                s.Id, s.Environment, s.FinishedAt!.Value, s.Score!.Value, s.Grade!, s.ProfileScore!.Value, s.ProfileGrade!, s.ChecklistPassed!.Value, s.ChecklistTotal!.Value))
            .ToListAsync(cancellationToken);
        points.Reverse();
        return points;
    }

    private static async Task<Results<Ok<ScanResponse>, ProblemHttpResult>> FindAsync(
        IQueryable<Scan> query, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var scan = await query.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (scan is null)
        {
            return ProblemDetailsResponse.NotFound("scan");
        }

        var report = scan.Report is { } json ? ScanReportJson.Deserialize(json) : null;
        ScanChanges? changes = null;
        if (report is not null)
        {
            var previous = await db.Scans.AsNoTracking()
                .Where(s => s.TargetUrl == scan.TargetUrl && s.ServiceId == scan.ServiceId && s.Status == ScanStatus.Completed && s.Id < scan.Id)
                .OrderByDescending(s => s.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (previous?.Report is { } previousJson)
            {
                changes = Compare(previous, ScanReportJson.Deserialize(previousJson), report);
            }
        }

        return TypedResults.Ok(new ScanResponse(ToSummary(scan), report, changes));
    }

    private static ScanChanges Compare(Scan previous, ScanReport previousReport, ScanReport currentReport)
    {
        var comparison = ScanComparison.Compare(previousReport, currentReport);
        return new ScanChanges(
            previous.Id, comparison.BaselineGrade, comparison.CurrentGrade, comparison.ScoreDelta, comparison.Change,
            [.. comparison.NewlyFailing.Select(f => f.Id)], [.. comparison.Fixed.Select(f => f.Id)]);
    }

    internal static ScanSummaryResponse ToSummary(Scan scan) => new(
        scan.Id, scan.ServiceId, scan.Environment, scan.TargetUrl, scan.Profile, scan.Trigger, scan.Status, scan.QueuedAt, scan.StartedAt,
        scan.FinishedAt, scan.Attempts, scan.Grade, scan.Score, scan.ProfileGrade, scan.ProfileScore, scan.ChecklistPassed, scan.ChecklistTotal,
        scan.FailedChecks, scan.Error);

    private static string LocationOf(Scan scan) =>
        scan.ServiceId is { } serviceId ? $"/api/services/{serviceId}/scans/{scan.Id}" : $"/api/self/scans/{scan.Id}";

    private static string Describe(ScanProfile profile) => profile == ScanProfile.Api ? "an API" : "a web page";
}

/// <summary>Where this deployment scans itself: <see cref="ScanOptions.SelfUrl"/>, else <c>PublicOrigin</c>; null when neither is set.</summary>
public sealed class SelfScanTarget(Microsoft.Extensions.Options.IOptions<ScanOptions> options, IConfiguration configuration)
{
    public ScanRequestTarget? Target { get; } =
        Uri.TryCreate(options.Value.SelfUrl ?? configuration["PublicOrigin"], UriKind.Absolute, out var url)
        && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? new ScanRequestTarget(null, ScanScheduler.SelfEnvironment, ScanTargets.Normalize(url.AbsoluteUri), options.Value.SelfProfile)
            : null;
}
