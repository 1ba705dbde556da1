using System.Diagnostics.Metrics;
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

/// <summary>
/// <see cref="ScanWorker"/> and <see cref="ScanScheduler"/> with a real PostgreSQL and Redis, and a real site to scan on
/// loopback.
/// </summary>
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

    [Fact]
    public async Task The_score_gauge_shows_each_environment_s_latest_completed_scan()
    {
        using var host = BuildHost(new MessageCollector());
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        var slug = $"gauged-{Guid.NewGuid():N}"[..20];
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            var now = DateTimeOffset.UtcNow;
            var team = new WebApi.Teams.Team { Name = "Gauges", Slug = $"team-{Guid.NewGuid():N}"[..20], CreatedAt = now };
            var service = new WebApi.Services.RegisteredService { TeamId = team.Id, Name = "Gauged", Slug = slug, CreatedAt = now, UpdatedAt = now };
            db.AddRange(team, service);
            db.Scans.AddRange(
                Finished(service.Id, "production", ScanStatus.Completed, now - TimeSpan.FromHours(2), score: 40),
                Finished(service.Id, "production", ScanStatus.Completed, now - TimeSpan.FromHours(1), score: 90),
                Finished(service.Id, "production", ScanStatus.Failed, now - TimeSpan.FromMinutes(1), score: null),
                Finished(service.Id, "staging", ScanStatus.Completed, now - TimeSpan.FromHours(3), score: 55));
            await db.SaveChangesAsync();
        }

        await host.StartAsync();
        try
        {
            using var bound = new CancellationTokenSource(Bound);
            var scores = ScoresOf(slug);
            while (scores.Count < 2)
            {
                await Task.Delay(200, bound.Token);
                scores = ScoresOf(slug);
            }

            Assert.Equal(new Dictionary<string, int> { ["production"] = 90, ["staging"] = 55 }, scores);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_deployment_whose_public_url_never_answers_stops_queueing_a_scan_a_minute_once_the_retry_window_has_passed()
    {
        // Nothing listens there: every scan of it fails at once.
        var unanswered = $"http://127.0.0.1:{ReadinessAspire.Testing.FreeLoopbackPorts.One()}/";
        var logs = new MessageCollector();
        using var host = BuildHost(logs,
            ("Scans:SelfUrl", unanswered),
            ("Scans:SelfScanRetryWindow", "00:00:02"),
            // No scheduled occurrence while the test runs.
            ("Scans:SelfScanSchedule", "0 0 1 1 *"));
        var contexts = host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        await host.StartAsync();
        try
        {
            // The first tick queues a scan; the next, 15 s on, finds the window passed instead of queueing another a
            // minute after the first.
            await logs.WaitForAsync(
                m => m.Category == typeof(ScanScheduler).FullName && m.Level == LogLevel.Warning
                    && m.Message.StartsWith($"No scan of {unanswered} completed within", StringComparison.Ordinal),
                Bound);

            await using var db = await contexts.CreateDbContextAsync();
            Assert.Equal(1, await db.Scans.CountAsync(s => s.TargetUrl == unanswered && s.Trigger == ScanTrigger.SelfScan));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private IHost BuildHost(MessageCollector logs, params (string Key, string Value)[] settings)
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
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.ConnectionString));
        builder.Services.AddSingleton<CacheGeneration>();
        builder.AddReadinessDatabase();
        builder.Services.Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        builder.AddScans();
        return builder.Build();
    }

    /// <summary>What <c>readiness.scan.score</c> measures now for <paramref name="service"/>, by environment.</summary>
    private static Dictionary<string, int> ScoresOf(string service)
    {
        var scores = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, subscriber) =>
        {
            if (instrument.Meter.Name == ScanMetrics.MeterName && instrument.Name == "readiness.scan.score")
            {
                subscriber.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            string? measured = null, environment = null;
            foreach (var tag in tags)
            {
                (measured, environment) = tag.Key switch
                {
                    "service" => (tag.Value as string, environment),
                    "environment" => (measured, tag.Value as string),
                    _ => (measured, environment),
                };
            }

            if (measured == service && environment is not null)
            {
                scores[environment] = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return scores;
    }

    private static Scan Finished(Guid serviceId, string environment, ScanStatus status, DateTimeOffset finishedAt, int? score) => new()
    {
        ServiceId = serviceId,
        Environment = environment,
        TargetUrl = $"https://{environment}.example.test/",
        Status = status,
        QueuedAt = finishedAt - TimeSpan.FromMinutes(1),
        FinishedAt = finishedAt,
        Score = score,
        Grade = score is null ? null : "B",
        ProfileGrade = score is null ? null : "B",
        ChecklistPassed = score is null ? null : 3,
        ChecklistTotal = score is null ? null : 4,
    };

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
