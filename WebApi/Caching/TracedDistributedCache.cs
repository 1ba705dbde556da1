using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;

namespace WebApi.Caching;

/// <summary>
/// Client spans for the Redis calls of the distributed cache, since no StackExchange.Redis tracing
/// instrumentation is available here: one span per cache operation, a child of the current span.
/// </summary>
internal sealed class TracedDistributedCache(IDistributedCache redis) : IDistributedCache
{
    public byte[]? Get(string key)
    {
        using var activity = Start("GET");
        return RecordHit(activity, redis.Get(key));
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        using var activity = Start("GET");
        return RecordHit(activity, await Traced(activity, redis.GetAsync(key, token)));
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        using var activity = Start("SET");
        redis.Set(key, value, options);
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        using var activity = Start("SET");
        await Traced(activity, redis.SetAsync(key, value, options, token));
    }

    public void Refresh(string key)
    {
        using var activity = Start("REFRESH");
        redis.Refresh(key);
    }

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        using var activity = Start("REFRESH");
        await Traced(activity, redis.RefreshAsync(key, token));
    }

    public void Remove(string key)
    {
        using var activity = Start("DEL");
        redis.Remove(key);
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        using var activity = Start("DEL");
        await Traced(activity, redis.RemoveAsync(key, token));
    }

    /// <summary>A span named and tagged as OpenTelemetry's database conventions name a Redis command.</summary>
    private static Activity? Start(string operation)
    {
        var activity = CacheTelemetry.Source.StartActivity(operation, ActivityKind.Client);
        activity?.SetTag("db.system.name", "redis");
        activity?.SetTag("db.operation.name", operation);
        return activity;
    }

    private static byte[]? RecordHit(Activity? activity, byte[]? value)
    {
        activity?.SetTag("cache.hit", value is not null);
        return value;
    }

    private static async Task<T> Traced<T>(Activity? activity, Task<T> operation)
    {
        try
        {
            return await operation;
        }
        catch (Exception exception)
        {
            activity?.AddException(exception).SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
    }

    private static async Task Traced(Activity? activity, Task operation)
    {
        try
        {
            await operation;
        }
        catch (Exception exception)
        {
            activity?.AddException(exception).SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
    }
}
