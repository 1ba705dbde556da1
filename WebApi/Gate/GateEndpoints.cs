using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scanner.Grading;
using WebApi.Accounts;
using WebApi.Data;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Scans;

namespace WebApi.Gate;

/// <summary>
/// <c>GET /api/gate</c>: the deploy pipeline's question, "may this service ship?". It passes only when the service's
/// latest review meets its tier's threshold (active waivers counted, expired ones not) and the latest completed scan of
/// the environment meets the grade (the environment's profile grade: an API is graded as an API).
/// </summary>
public static class GateEndpoints
{
    private const string DefaultMinimumGrade = "B";

    public static IEndpointRouteBuilder MapGateEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/gate", EvaluateAsync).WithTags("Gate").RequireAuthorization(AccessPolicies.Read)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<Results<Ok<GateResponse>, ProblemHttpResult>> EvaluateAsync(
        [AsParameters] GateQuery query, HttpContext http, ReadinessDbContext db, ReadinessPolicy policy, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var service = await db.Services.AsNoTracking()
            .Where(s => s.Slug == query.Service && db.TeamMembers.Any(m => m.TeamId == s.TeamId && m.UserId == userId))
            .SingleOrDefaultAsync(cancellationToken);
        if (service is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: $"No service \"{query.Service}\" exists, or you are not a member of its team.");
        }

        var environment = query.Environment!;
        if (service.Environments.All(e => e.Name != environment))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: $"The service has no environment \"{environment}\".");
        }

        var reasons = new List<string>();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var review = await db.Reviews.AsNoTracking().Include(r => r.Items)
            .Where(r => r.ServiceId == service.Id)
            .CurrentFirst()
            .FirstOrDefaultAsync(cancellationToken);
        var readiness = policy.Evaluate(service.Tier, review?.Id, review is null ? null : ReviewScoring.Count(review.Items, today));
        reasons.Add(readiness.Reason);
        var gateReview = review is null ? null : new GateReview(review.Id, readiness.Score ?? 0, readiness.Required, service.Tier.ToString(), readiness.Ready);

        var minimum = query.MinimumGrade?.ToUpperInvariant() ?? DefaultMinimumGrade;
        var scan = await db.Scans.AsNoTracking()
            .Where(s => s.ServiceId == service.Id && s.Environment == environment && s.Status == ScanStatus.Completed)
            .OrderByDescending(s => s.FinishedAt)
            .FirstOrDefaultAsync(cancellationToken);
        GateScan? gateScan = null;
        if (scan is null)
        {
            reasons.Add($"No completed scan of {environment} yet: queue one with POST /api/services/{service.Id}/scans.");
        }
        else
        {
            var passed = GradeScale.Meets(scan.ProfileGrade!, minimum);
            gateScan = new GateScan(scan.Id, scan.ProfileGrade!, scan.ProfileScore!.Value, scan.Grade!, scan.FinishedAt!.Value, minimum, passed);
            reasons.Add(passed
                ? $"Scan #{scan.Id} of {environment} graded {scan.ProfileGrade}, at least {minimum}."
                : $"Scan #{scan.Id} of {environment} graded {scan.ProfileGrade}, below {minimum}: {scan.FailedChecks} check(s) failed.");
        }

        var gatePassed = readiness.Ready && gateScan is { Passed: true };
        return TypedResults.Ok(new GateResponse(service.Slug, environment, gatePassed, reasons, gateReview, gateScan));
    }
}
