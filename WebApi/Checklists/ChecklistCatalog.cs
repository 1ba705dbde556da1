using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using WebApi.Data;
using WebApi.Http;

namespace WebApi.Checklists;

/// <summary>Read-through access to checklists: the cache first, PostgreSQL when the cache misses or Redis is down.</summary>
public sealed class ChecklistCatalog(IDbContextFactory<ReadinessDbContext> contextFactory, HybridCache cache, IOptions<ChecklistCatalogOptions> options)
{
    private const string SummariesKey = "checklists";

    // With caching off every read goes to PostgreSQL (benchmarks measure that path). Not through HybridCache with both
    // of its layers switched off: it still joins concurrent reads of one key into a single load, which under load
    // served nine of ten "uncached" reads from another request's query (bench/README.md, the uncached read).
    private readonly bool _cacheReads = options.Value.CacheReads;

    public ValueTask<ETagged<IReadOnlyList<ChecklistSummary>>> GetSummariesAsync(CancellationToken cancellationToken) =>
        _cacheReads
            ? cache.GetOrCreateAsync(SummariesKey, contextFactory, LoadSummariesAsync, cancellationToken: cancellationToken)
            : LoadSummariesAsync(contextFactory, cancellationToken);

    /// <returns>The checklist, or null when no checklist has <paramref name="id"/>.</returns>
    public async ValueTask<ETagged<ChecklistDetail>?> GetChecklistAsync(string id, CancellationToken cancellationToken)
    {
        if (!_cacheReads)
        {
            return await LoadChecklistAsync(contextFactory, id, cancellationToken);
        }

        // Only ids that exist get a cache entry of their own, so requests for made-up ids cannot fill the cache.
        var summaries = await GetSummariesAsync(cancellationToken);
        if (!summaries.Content.Any(summary => summary.Id == id))
        {
            return null;
        }

        return await cache.GetOrCreateAsync(
            $"checklists:{id}",
            (contextFactory, id),
            static (state, token) => LoadChecklistAsync(state.contextFactory, state.id, token),
            cancellationToken: cancellationToken);
    }

    // Compiled once: otherwise every load walks the query's expression tree for its parameters and its cache key, which
    // cost a replica about a sixth of its uncached reads (bench/README.md, compiled query).
    private static readonly Func<ReadinessDbContext, IAsyncEnumerable<ChecklistSummary>> s_summaries = EF.CompileAsyncQuery(
        (ReadinessDbContext db) => db.Checklists
            .AsNoTracking()
            .OrderBy(checklist => checklist.Id)
            .Select(checklist => new ChecklistSummary(
                checklist.Id,
                checklist.Title,
                checklist.Summary,
                checklist.Version,
                checklist.Sections.Count,
                checklist.Sections.SelectMany(section => section.Items).Count())));

    private static readonly Func<ReadinessDbContext, string, CancellationToken, Task<ChecklistDetail?>> s_checklist = EF.CompileAsyncQuery(
        (ReadinessDbContext db, string id, CancellationToken cancellationToken) => db.Checklists
            .AsNoTracking()
            // Items nest inside sections (no sibling collections), so one joined query has no cartesian explosion.
            .AsSingleQuery()
            .Where(checklist => checklist.Id == id)
            .Select(checklist => new ChecklistDetail(
                checklist.Id,
                checklist.Title,
                checklist.Summary,
                checklist.Version,
                checklist.Sections
                    .OrderBy(section => section.Order)
                    .Select(section => new ChecklistSectionDetail(
                        section.Id,
                        section.Title,
                        section.Summary,
                        section.Items
                            .OrderBy(item => item.Order)
                            .Select(item => new ChecklistItemDetail(item.Id, item.Title, item.Guidance))
                            .ToList()))
                    .ToList()))
            .SingleOrDefault());

    // The cache may run a loader on behalf of several waiting requests, so each load owns its own context
    // rather than borrowing one from the request that happened to arrive first.
    private static async ValueTask<ETagged<IReadOnlyList<ChecklistSummary>>> LoadSummariesAsync(
        IDbContextFactory<ReadinessDbContext> contextFactory, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var summaries = await s_summaries(db).ToListAsync(cancellationToken);
        return ContentETag.Attach<IReadOnlyList<ChecklistSummary>>(summaries);
    }

    private static async ValueTask<ETagged<ChecklistDetail>?> LoadChecklistAsync(
        IDbContextFactory<ReadinessDbContext> contextFactory, string id, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var checklist = await s_checklist(db, id, cancellationToken);
        return checklist is null ? null : ContentETag.Attach(checklist);
    }
}

/// <summary>Bound from <c>Checklists</c> (environment <c>Checklists__CacheReads</c>).</summary>
public sealed class ChecklistCatalogOptions
{
    /// <summary>Serve reads from the in-process and Redis cache; false reads PostgreSQL every time.</summary>
    public bool CacheReads { get; set; } = true;
}
