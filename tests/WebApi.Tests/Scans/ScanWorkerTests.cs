using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WebApi.Caching;
using WebApi.Data;
using WebApi.Scans;
using WebApi.Tests.Data;
using WebApi.Tests.Security;

namespace WebApi.Tests.Scans;

/// <summary><see cref="ScanWorker"/> with a real PostgreSQL and Redis, and a real site to scan on loopback.</summary>
public sealed class ScanWorkerTests(PostgresServer postgres, RedisServer redis) : IClassFixture<PostgresServer>, IClassFixture<RedisServer>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_worker_that_cannot_write_a_result_while_the_database_is_down_lives_on_and_the_scan_completes_once_it_is_back()
    {
        // The site's page answers only once the test has stopped PostgreSQL: the scan is done, its result not yet written.
        var pageRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var databaseDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await StartSiteAsync(async () =>
        {
            pageRequested.TrySetResult();
            await databaseDown.Task;
        });
        var logs = new MessageCollector();
        using var host = BuildHost(logs);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopped.TrySetResult());
        await host.StartAsync();
        try
        {
            var target = new ScanRequestTarget(null, ScanScheduler.SelfEnvironment, site.Url, Scanner.ScanProfile.Web);
            var (scan, _) = (await host.Services.GetRequiredService<ScanQueue>().EnqueueAsync(
                target.ToScan(ScanTrigger.SelfScan, requestedBy: null, DateTimeOffset.UtcNow), CancellationToken.None))!.Value;
            await pageRequested.Task.WaitAsync(Bound);

            var port = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString).Port;
            await postgres.StopAsync();
            databaseDown.TrySetResult();
            // The worker has given up writing the result (its retries spent), or its host stopped.
            await Task.WhenAny(
                stopped.Task,
                logs.WaitForAsync(m => m.Category == typeof(ScanWorker).FullName && m.Level >= LogLevel.Warning && m.Message.Contains($"{scan.Id}", StringComparison.Ordinal), Bound));
            await postgres.StartAsync(port);

            var status = await WaitForFinishedAsync(contexts, scan.Id, stopped.Task);
            Assert.False(stopped.Task.IsCompleted, "The host stopped: " + string.Join(" | ", logs.Messages.Where(m => m.Level >= LogLevel.Warning).Select(m => m.Message)));
            Assert.Equal(ScanStatus.Completed, status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private IHost BuildHost(MessageCollector logs)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddProvider(logs);
        builder.Configuration["ConnectionStrings:" + DatabaseExtensions.ConnectionName] = postgres.ConnectionString;
        builder.Configuration["Scans:StartDelay"] = "00:00:00";
        builder.Configuration["Scans:PollInterval"] = "00:00:00.200";
        builder.Configuration["Scans:WorkerConcurrency"] = "1";
        // Short, so the claim the worker could not give up lapses soon after the database is back.
        builder.Configuration["Scans:Lease"] = "00:00:03";
        builder.Configuration["Scanner:AllowedTargets"] = "127.0.0.1";
        builder.Configuration["Scanner:AllowedPorts"] = "*";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.ConnectionString));
        builder.Services.AddSingleton<CacheGeneration>();
        builder.AddReadinessDatabase();
        builder.Services.Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        builder.AddScans();
        return builder.Build();
    }

    /// <summary>The scan's status once it is neither queued nor running, or when the host stopped.</summary>
    private static async Task<ScanStatus> WaitForFinishedAsync(IDbContextFactory<ReadinessDbContext> contexts, long scanId, Task stopped)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(bound.Token);
                var status = await db.Scans.Where(s => s.Id == scanId).Select(s => s.Status).SingleAsync(bound.Token);
                if (status is ScanStatus.Completed or ScanStatus.Failed || stopped.IsCompleted)
                {
                    return status;
                }
            }
            catch (Npgsql.NpgsqlException) when (!bound.IsCancellationRequested)
            {
                // The restarted server's first connections may still find the old ones' pool.
            }

            await Task.Delay(200, bound.Token);
        }
    }

    private static async Task<LoopbackSite> StartSiteAsync(Func<Task> beforePage)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", async () =>
        {
            await beforePage();
            return Results.Content("<!doctype html><title>site</title><p>A page to scan.</p>", "text/html");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackSite(app, address.TrimEnd('/') + "/");
    }

    private sealed class LoopbackSite(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url => url;

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
