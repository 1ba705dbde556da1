using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace WebApi.Caching;

public static class CacheExtensions
{
    /// <summary>Name of the Redis connection string (<c>ConnectionStrings:cache</c>, env <c>ConnectionStrings__cache</c>).</summary>
    public const string ConnectionName = "cache";

    /// <summary>
    /// Registers <see cref="HybridCache"/>: an in-process cache in front of Redis. Redis is a pure cache, without
    /// persistence: an optimisation, never a dependency of a read or of correctness. HybridCache logs a failed Redis read
    /// or write and falls back to the data source; sessions and antiforgery tokens do not depend on it (their keys are in
    /// PostgreSQL); an emptied Redis starts every cache generation afresh (<see cref="CacheGeneration"/>).
    /// </summary>
    public static IHostApplicationBuilder AddReadinessCache(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var configuration = builder.Configuration;

        // One multiplexer per process, shared by the cache and its health check. It is created on first use,
        // so the app starts (and dotnet-ef runs) without Redis.
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
            ConnectionMultiplexer.Connect(CreateRedisOptions(configuration)));

        builder.Services.AddStackExchangeRedisCache(options => options.InstanceName = "readiness:");
        Decorate<IDistributedCache>(builder.Services, redis => new TracedDistributedCache(redis));
        // Resolved inside the cache's own connect call, so a missing connection string surfaces as a
        // logged cache failure rather than as a failed request.
        builder.Services.AddOptions<RedisCacheOptions>()
            .Configure<IServiceProvider>((options, services) =>
                options.ConnectionMultiplexerFactory = () =>
                    Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));

        builder.Services.AddHybridCache(options => options.DefaultEntryOptions = new HybridCacheEntryOptions
        {
            Expiration = TimeSpan.FromMinutes(5),
            // Replicas keep their own copy only briefly, so they converge on Redis' copy soon after a change.
            LocalCacheExpiration = TimeSpan.FromMinutes(1),
        });
        Decorate<HybridCache>(builder.Services, cache => new TracedHybridCache(cache));
        builder.Services.AddSingleton<CacheGeneration>();
        builder.Services.AddScoped<CacheGenerationSnapshot>();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(CacheTelemetry.ActivitySourceName));

        // Degraded, not Unhealthy: without Redis a replica still serves every request, from PostgreSQL. Readiness stays
        // 200 (its body says Degraded), so an orchestrator's readiness probe does not take every replica out of
        // rotation at once for a cache; Monitoring/alert-rules.yml (CacheDown) tells the operator instead.
        builder.Services.AddHealthChecks()
            .AddRedis(services => services.GetRequiredService<IConnectionMultiplexer>(), name: "redis", failureStatus: HealthStatus.Degraded, timeout: TimeSpan.FromSeconds(2));

        return builder;
    }

    /// <summary>Wraps the registered implementation of <typeparamref name="TService"/>, created as it was registered.</summary>
    private static void Decorate<TService>(IServiceCollection services, Func<TService, TService> wrap)
        where TService : class
    {
        var registered = services.Single(service => service.ServiceType == typeof(TService));
        services.Replace(ServiceDescriptor.Singleton(provider =>
            wrap((TService)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!))));
    }

    public static ConfigurationOptions CreateRedisOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var connectionString = configuration.GetRequiredConnectionString(ConnectionName);
        var options = ConfigurationOptions.Parse(connectionString);
        // Start and keep serving while Redis is away; the multiplexer reconnects in the background.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2_000;
        // While disconnected, fail cache calls at once instead of queueing them, so a read goes
        // straight to PostgreSQL rather than waiting out a timeout on every request.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AsyncTimeout = 1_000;
        options.SyncTimeout = 1_000;
        return options;
    }
}
