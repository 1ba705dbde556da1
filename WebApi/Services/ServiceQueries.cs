using Microsoft.EntityFrameworkCore;
using WebApi.Data;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Teams;

namespace WebApi.Services;

/// <summary>Reads of services with their readiness, as the list and the detail show them.</summary>
public static class ServiceQueries
{
    private sealed record ServiceRow(RegisteredService Service, ReviewCounts? Current);

    public static async Task<Page<ServiceResponse>> PageAsync(
        ReadinessDbContext db, string userId, ServiceListQuery query, ReadinessPolicy policy, DateOnly today, CancellationToken cancellationToken)
    {
        var services = db.Services.AsNoTracking().Where(s => db.TeamsOf(userId).Contains(s.TeamId));
        if (query.TeamId is { } teamId)
        {
            services = services.Where(s => s.TeamId == teamId);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + EscapeLike(query.Search.Trim()) + "%";
            services = services.Where(s => EF.Functions.ILike(s.Name, pattern, "\\") || EF.Functions.ILike(s.Slug, pattern, "\\"));
        }

        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            services = services.Where(s => s.Tags.Contains(query.Tag));
        }

        services = query.Sort switch
        {
            "-name" => services.OrderByDescending(s => s.Name).ThenBy(s => s.Id),
            "updated" => services.OrderBy(s => s.UpdatedAt).ThenBy(s => s.Id),
            "-updated" => services.OrderByDescending(s => s.UpdatedAt).ThenBy(s => s.Id),
            "tier" => services.OrderBy(s => s.Tier).ThenBy(s => s.Name).ThenBy(s => s.Id),
            "-tier" => services.OrderByDescending(s => s.Tier).ThenBy(s => s.Name).ThenBy(s => s.Id),
            _ => services.OrderBy(s => s.Name).ThenBy(s => s.Id),
        };

        var page = new PageQuery { Page = query.Page, PageSize = query.PageSize };
        var total = await services.CountAsync(cancellationToken);
        var rows = await WithCurrentReview(db, services.Skip(page.Skip).Take(page.Size), today).ToListAsync(cancellationToken);
        return new Page<ServiceResponse>([.. rows.Select(row => ToResponse(row, policy))], page.Number, page.Size, total);
    }

    /// <summary>The service with its readiness, or null when it does not exist or the user is not in its team.</summary>
    public static async Task<(ServiceResponse Service, TeamRole Role)?> FindAsync(
        ReadinessDbContext db, Guid id, string userId, ReadinessPolicy policy, DateOnly today, CancellationToken cancellationToken)
    {
        var role = await db.Services.Where(s => s.Id == id)
            .Join(db.TeamMembers.Where(m => m.UserId == userId), s => s.TeamId, m => m.TeamId, (s, m) => (TeamRole?)m.Role)
            .SingleOrDefaultAsync(cancellationToken);
        if (role is null)
        {
            return null;
        }

        var row = await WithCurrentReview(db, db.Services.AsNoTracking().Where(s => s.Id == id), today).SingleAsync(cancellationToken);
        return (ToResponse(row, policy), role.Value);
    }

    public static ServiceResponse ToResponse(RegisteredService service, ServiceReadiness readiness) => new(
        service.Id, service.TeamId, service.Name, service.Slug, service.Description, service.RepositoryUrl, service.Tags,
        [.. service.Environments.Select(e => new EnvironmentResponse(e.Name, e.BaseUrl, e.Profile))],
        service.Tier, service.CreatedAt, service.UpdatedAt, readiness, Preconditions.ETag(service.Version));

    private static IQueryable<ServiceRow> WithCurrentReview(ReadinessDbContext db, IQueryable<RegisteredService> services, DateOnly today)
    {
        // Composed outside the lambda: EF expands a query it is handed, not a method called inside the expression.
        var reviews = db.Reviews.CurrentFirst().WithCounts(today);
        return services.Select(s => new ServiceRow(s, reviews.Where(r => r.ServiceId == s.Id).FirstOrDefault()));
    }

    private static ServiceResponse ToResponse(ServiceRow row, ReadinessPolicy policy) => ToResponse(
        row.Service,
        policy.Evaluate(row.Service.Tier, row.Current?.Id, row.Current?.Counts));

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
