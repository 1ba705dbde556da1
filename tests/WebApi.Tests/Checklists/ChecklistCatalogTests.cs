using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WebApi.Checklists;
using WebApi.Data;
using WebApi.Tests.Data;

namespace WebApi.Tests.Checklists;

/// <summary>
/// <see cref="ChecklistCatalog"/> against a real PostgreSQL. Reads that arrive together are held at the database
/// until all of them could have got there, so the number of loads tells whether each read went to PostgreSQL.
/// </summary>
public sealed class ChecklistCatalogTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private const int Readers = 8;

    [Fact]
    public async Task Uncached_reads_each_query_PostgreSQL_even_when_they_arrive_together()
    {
        var (summaries, loads) = await ReadTogetherAsync(cacheReads: false, catalog => catalog.GetSummariesAsync(CancellationToken.None));

        Assert.Equal(Readers, loads);
        Assert.All(summaries, read => Assert.Contains(read.Content, summary => summary.Id == ChecklistSeed.ChecklistId));
    }

    [Fact]
    public async Task Uncached_reads_of_one_checklist_each_query_PostgreSQL_even_when_they_arrive_together()
    {
        var (checklists, loads) = await ReadTogetherAsync(cacheReads: false, catalog => catalog.GetChecklistAsync(ChecklistSeed.ChecklistId, CancellationToken.None));

        Assert.Equal(Readers, loads);
        // The seed's sections and items, each in its order.
        var sections = ChecklistSeed.Sections.Where(s => s.ChecklistId == ChecklistSeed.ChecklistId).OrderBy(s => s.Order).ToList();
        Assert.All(checklists, read =>
        {
            Assert.Equal(ChecklistSeed.ChecklistId, read?.Content.Id);
            Assert.Equal(sections.Select(s => s.Id), read!.Content.Sections.Select(s => s.Id));
            Assert.All(read.Content.Sections, section => Assert.Equal(
                ChecklistSeed.Items.Where(i => i.SectionId == section.Id).OrderBy(i => i.Order).Select(i => i.Id),
                section.Items.Select(i => i.Id)));
        });
    }

    [Fact]
    public async Task Uncached_read_of_a_checklist_that_does_not_exist_is_null()
    {
        using var database = await DatabaseAsync();
        await using var services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        var catalog = Catalog(Contexts(database), services, cacheReads: false);

        Assert.Null(await catalog.GetChecklistAsync("no-such-checklist", CancellationToken.None));
    }

    [Fact]
    public async Task Cached_reads_that_arrive_together_share_one_load()
    {
        var (summaries, loads) = await ReadTogetherAsync(cacheReads: true, catalog => catalog.GetSummariesAsync(CancellationToken.None));

        Assert.Equal(1, loads);
        Assert.All(summaries, read => Assert.Equal(summaries[0].ETag, read.ETag));
    }

    /// <summary>
    /// Starts <see cref="Readers"/> reads at once, each held when it opens a database context until every reader has
    /// opened one or five seconds have passed, then lets them all finish; returns their results and how many contexts
    /// (one per load) were opened.
    /// </summary>
    private async Task<(T[] Results, int Loads)> ReadTogetherAsync<T>(bool cacheReads, Func<ChecklistCatalog, ValueTask<T>> read)
    {
        using var database = await DatabaseAsync();
        var contexts = new HeldContexts(Contexts(database), expected: Readers);
        await using var services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        var catalog = Catalog(contexts, services, cacheReads);

        var reads = Enumerable.Range(0, Readers).Select(_ => read(catalog).AsTask()).ToList();
        await contexts.AllOpenedOrTimeoutAsync(TimeSpan.FromSeconds(5));
        contexts.Release();
        return (await Task.WhenAll(reads), contexts.Opened);
    }

    private static ChecklistCatalog Catalog(IDbContextFactory<ReadinessDbContext> contexts, IServiceProvider services, bool cacheReads) =>
        new(contexts, services.GetRequiredService<HybridCache>(), Options.Create(new ChecklistCatalogOptions { CacheReads = cacheReads }));

    private static IDbContextFactory<ReadinessDbContext> Contexts(IHost database) =>
        database.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();

    /// <summary>WebApi's database wiring on the test's server, its schema and seeded checklists in place.</summary>
    private async Task<IHost> DatabaseAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:" + DatabaseExtensions.ConnectionName] = server.ConnectionString;
        builder.AddReadinessDatabase();
        // As the app configures Identity, so the model matches the migrations.
        builder.Services.Configure<IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        var host = builder.Build();
        await using var db = await Contexts(host).CreateDbContextAsync();
        await db.Database.MigrateAsync();
        return host;
    }

    /// <summary>Counts the contexts opened and holds each until <see cref="Release"/>.</summary>
    private sealed class HeldContexts(IDbContextFactory<ReadinessDbContext> inner, int expected) : IDbContextFactory<ReadinessDbContext>
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _allOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _opened;

        public int Opened => Volatile.Read(ref _opened);

        public ReadinessDbContext CreateDbContext() => throw new NotSupportedException("The catalog opens its contexts asynchronously.");

        public async Task<ReadinessDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _opened) == expected)
            {
                _allOpened.TrySetResult();
            }

            await _released.Task.WaitAsync(cancellationToken);
            return await inner.CreateDbContextAsync(cancellationToken);
        }

        public async Task AllOpenedOrTimeoutAsync(TimeSpan timeout) => await Task.WhenAny(_allOpened.Task, Task.Delay(timeout));

        public void Release() => _released.TrySetResult();
    }
}
