using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Scanner;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Caching;
using WebApi.Data;
using WebApi.Evidence;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Teams;

namespace WebApi.Services;

/// <summary><c>/api/services</c>: the services teams run. Maintainers register and edit them; owners delete them.</summary>
public static class ServiceEndpoints
{
    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder routes)
    {
        var services = routes.MapGroup("/api/services").WithTags("Services");
        // Produces(304): a matching If-None-Match answers 304, which the handler's result types cannot declare.
        services.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.Read).Produces(StatusCodes.Status304NotModified);
        // 404: the body's teamId names no team of the caller's.
        services.MapPost("/", CreateAsync).RequireAuthorization(AccessPolicies.Write).WithIdempotencyKey().ProducesProblem(StatusCodes.Status404NotFound);
        services.MapGet("/{id:guid}", GetAsync).RequireAuthorization(AccessPolicies.Read);
        services.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(AccessPolicies.Write);
        services.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(AccessPolicies.Write);
        services.MapGet("/{id:guid}/history", HistoryAsync).RequireAuthorization(AccessPolicies.Read);
        return routes;
    }

    private static async Task<Results<Ok<Page<ServiceResponse>>, StatusCodeHttpResult>> ListAsync(
        [AsParameters] ServiceListQuery query, HttpContext http, IDbContextFactory<ReadinessDbContext> contextFactory, HybridCache cache,
        CacheGenerationSnapshot generations, ReadinessPolicy policy, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var state = (contextFactory, userId, query, policy, today);
        var current = (await generations.GetAsync())?.Catalog;
        var page = current is { } value
            // Per user (the list is what their teams may see), per generation (a write anywhere starts a new one) and day (waivers expire).
            ? await cache.GetOrCreateAsync(
                ListCacheKey(value, today, userId, query),
                state,
                static (s, token) => LoadAsync(s.contextFactory, s.userId, s.query, s.policy, s.today, token),
                cancellationToken: cancellationToken)
            : await LoadAsync(contextFactory, userId, query, policy, today, cancellationToken);

        // Personal: browsers may keep it but must revalidate, and no shared cache may store it.
        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.Headers.ETag = page.ETag;
        return http.Request.HasMatchingETag(page.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(page.Content);
    }

    /// <summary>
    /// The list's cache key. The user id, the tag and the search are free text that may hold the ':' between parts, so
    /// each goes with its length: otherwise <c>?tag=a:b&amp;search=c</c> and <c>?tag=a&amp;search=b:c</c> share a key and
    /// one is answered with the other's services. Lengths rather than escaping: escaped, a search of 100 non-Latin
    /// characters would pass HybridCache's 1024-character limit on keys, and every such read would skip the cache.
    /// </summary>
    internal static string ListCacheKey(long generation, DateOnly today, string userId, ServiceListQuery query) =>
        $"services:{generation}:{today:yyyyMMdd}:{Counted(userId)}:{query.TeamId}:{query.Sort}:{query.Page}:{query.PageSize}:{Counted(query.Tag)}:{Counted(query.Search)}";

    private static string Counted(string? text) => $"{text?.Length ?? 0}:{text}";

    private static async ValueTask<ETagged<Page<ServiceResponse>>> LoadAsync(
        IDbContextFactory<ReadinessDbContext> contextFactory, string userId, ServiceListQuery query, ReadinessPolicy policy, DateOnly today, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return ContentETag.Attach(await ServiceQueries.PageAsync(db, userId, query, policy, today, cancellationToken));
    }

    private static async Task<Results<Created<ServiceResponse>, ProblemHttpResult>> CreateAsync(
        CreateServiceRequest request, HttpContext http, ReadinessDbContext db, CacheGeneration generation, ReadinessPolicy policy,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var teamId = request.TeamId!.Value;
        var role = await db.RoleAsync(teamId, http.User.UserId(), cancellationToken);
        if (role is null)
        {
            return ProblemDetailsResponse.NotFound("team");
        }

        if (!role.Value.Allows(TeamRole.Maintainer))
        {
            return ProblemDetailsResponse.Forbidden(TeamAccess.Describe(TeamRole.Maintainer));
        }

        var now = time.GetUtcNow();
        var service = new RegisteredService
        {
            TeamId = teamId,
            Name = request.Name.Trim(),
            Slug = request.Slug,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(service, request.Description, request.RepositoryUrl, request.Tags, request.Environments, request.Tier ?? CriticalityTier.B);
        db.Services.Add(service);
        var response = ServiceQueries.ToResponse(service, policy.Evaluate(service.Tier, null, null));
        db.Record(http.User, "service.created", "service", service.Id.ToString(), null, Snapshot(service), teamId: teamId, serviceId: service.Id);
        var gone = await db.SaveInTransactionAsync(async token =>
        {
            // The team's row, shared as the foreign key's check shares it, but first: a delete of the team waits for this
            // registration (and then finds the service), or this finds the team deleted meanwhile instead of the insert
            // failing on the foreign key.
            return await db.Database.LockRowAsync($"""SELECT 1 AS "Value" FROM "Teams" WHERE "Id" = {teamId} FOR KEY SHARE""", token)
                ? null
                : ProblemDetailsResponse.NotFound("team");
        }, cancellationToken);
        if (gone is not null)
        {
            return gone;
        }

        await generation.BumpAsync();

        http.Response.SetETag(service.Version);
        return TypedResults.Created($"/api/services/{service.Id}", response with { Etag = Preconditions.ETag(service.Version) });
    }

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, ReadinessDbContext db, ReadinessPolicy policy, TimeProvider time, CancellationToken cancellationToken)
    {
        var found = await ServiceQueries.FindAsync(db, id, http.User.UserId(), policy, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        if (found is not { } service)
        {
            return ProblemDetailsResponse.NotFound("service");
        }

        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.Headers.ETag = service.Service.Etag;
        return TypedResults.Ok(service.Service);
    }

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateServiceRequest request, HttpContext http, ReadinessDbContext db, CacheGeneration generation, ReadinessPolicy policy,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (service, problem) = await FindForAsync(db, id, http.User.UserId(), TeamRole.Maintainer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (http.Request.CheckIfMatch(service!.Version, out var expected) is { } failed)
        {
            return failed;
        }

        var before = Snapshot(service);
        db.ExpectVersion(service, expected);
        service.Name = request.Name.Trim();
        service.UpdatedAt = time.GetUtcNow();
        Apply(service, request.Description, request.RepositoryUrl, request.Tags, request.Environments, request.Tier!.Value);
        db.Record(http.User, "service.updated", "service", service.Id.ToString(), before, Snapshot(service), teamId: service.TeamId, serviceId: service.Id);
        var environments = service.Environments.Select(e => e.Name).ToList();
        await db.SaveInTransactionAsync<ProblemHttpResult>(async token =>
        {
            // What scans of an environment the service no longer has said on its open review is no longer about it.
            // The service's row first, as a delete of the service takes it before its reviews', then the open review's
            // as a scan's findings take it (a completion waits, so a frozen review keeps what it showed).
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Services" WHERE "Id" = {id} FOR NO KEY UPDATE""", token);
            var open = await db.Database
                .SqlQuery<Guid>($"""SELECT "Id" AS "Value" FROM "Reviews" WHERE "ServiceId" = {id} AND "State" = 'Open' FOR KEY SHARE""")
                .ToListAsync(token);
            await db.ScanObservations.Where(o => open.Contains(o.ReviewId) && !environments.Contains(o.Environment)).ExecuteDeleteAsync(token);
            return null;
        }, cancellationToken);
        await generation.BumpAsync();

        var updated = await ServiceQueries.FindAsync(db, id, http.User.UserId(), policy, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        http.Response.SetETag(service.Version);
        return TypedResults.Ok(updated!.Value.Service);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, HttpContext http, ReadinessDbContext db, CacheGeneration generation, EvidenceStorage storage, CancellationToken cancellationToken)
    {
        var (service, problem) = await FindForAsync(db, id, http.User.UserId(), TeamRole.Owner, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (http.Request.CheckIfMatch(service!.Version, out var expected) is { } failed)
        {
            return failed;
        }

        var blobs = await db.EvidenceFiles
            .Where(e => db.Reviews.Any(r => r.Id == e.ReviewId && r.ServiceId == id))
            .Select(e => e.BlobName)
            .ToListAsync(cancellationToken);
        db.ExpectVersion(service, expected);
        db.Services.Remove(service);
        db.Record(http.User, "service.deleted", "service", service.Id.ToString(), Snapshot(service), null, teamId: service.TeamId, serviceId: service.Id);
        await db.SaveChangesAsync(cancellationToken);
        await generation.BumpAsync();

        // The rows are gone (reviews, items and evidence by cascade); now their files. One that cannot be deleted now
        // is unreachable and is removed by the orphan sweep.
        await storage.DeleteManyAsync(blobs, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Page<AuditEntryResponse>>, ProblemHttpResult>> HistoryAsync(
        Guid id, [AsParameters] PageQuery page, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var (_, problem) = await FindForAsync(db, id, http.User.UserId(), TeamRole.Viewer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return TypedResults.Ok(await db.PageAsync(e => e.ServiceId == id, page, cancellationToken));
    }

    /// <summary>The tracked service, when the user's role in its team is at least <paramref name="needed"/>; 404 for non-members.</summary>
    internal static async Task<(RegisteredService? Service, ProblemHttpResult? Problem)> FindForAsync(
        ReadinessDbContext db, Guid id, string userId, TeamRole needed, CancellationToken cancellationToken)
    {
        var found = await db.Services.Where(s => s.Id == id)
            .Join(db.TeamMembers.Where(m => m.UserId == userId), s => s.TeamId, m => m.TeamId, (s, m) => new { Service = s, m.Role })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return (null, ProblemDetailsResponse.NotFound("service"));
        }

        return found.Role.Allows(needed)
            ? (found.Service, null)
            : (null, ProblemDetailsResponse.Forbidden(TeamAccess.Describe(needed)));
    }

    private static void Apply(
        RegisteredService service, string? description, string? repositoryUrl, IReadOnlyList<string>? tags,
        IReadOnlyList<ServiceEnvironmentRequest>? environments, CriticalityTier tier)
    {
        service.Description = description?.Trim() ?? "";
        service.RepositoryUrl = repositoryUrl;
        service.Tags = [.. (tags ?? []).Distinct(StringComparer.Ordinal)];
        service.Environments = [.. (environments ?? []).Select(e => new ServiceEnvironment { Name = e.Name, BaseUrl = e.BaseUrl, Profile = e.Profile ?? ScanProfile.Web })];
        service.Tier = tier;
    }

    private static object Snapshot(RegisteredService service) => new
    {
        service.Name,
        service.Slug,
        service.Description,
        service.RepositoryUrl,
        service.Tags,
        Environments = service.Environments.Select(e => new { e.Name, e.BaseUrl, Profile = e.Profile.ToString() }),
        Tier = service.Tier.ToString(),
    };
}
