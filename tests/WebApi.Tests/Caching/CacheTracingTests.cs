using System.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WebApi.Caching;
using WebApi.Tests.Security;

namespace WebApi.Tests.Caching;

/// <summary>The cache layer against a real redis-server: its Redis calls are spans of the request they serve.</summary>
public sealed class CacheTracingTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private const string CacheSource = "WebApi.Caching";
    private readonly ActivitySource _requests = new("CacheTracingTests");
    private readonly List<Activity> _spans = [];
    private readonly ActivityListener _listener = new();

    [Fact]
    public async Task Redis_reads_and_writes_made_for_a_request_are_in_its_trace()
    {
        Listen();
        var key = $"tracing:{Guid.NewGuid():N}";

        // A cold cache: Redis is read (a miss), the value is loaded and written to Redis, maybe after the answer.
        var coldRedis = await RequestAsync(key, until: span => span.DisplayName == "SET");
        // Another replica, whose in-memory cache is empty: the value comes from Redis.
        var warmRedis = await RequestAsync(key, until: span => span.DisplayName == "GET" && Equals(span.GetTagItem("cache.hit"), true));

        Assert.Contains(coldRedis, span => span.DisplayName == "GET" && Equals(span.GetTagItem("cache.hit"), false));
        Assert.Contains(coldRedis, span => span.DisplayName == "cache fill");
        Assert.Contains(warmRedis, span => span.DisplayName == "GET" && Equals(span.GetTagItem("cache.hit"), true));
        Assert.DoesNotContain(warmRedis, span => span.DisplayName == "cache fill");
        Assert.All(coldRedis.Concat(warmRedis).Where(span => span.Kind == ActivityKind.Client), span => Assert.Equal("redis", span.GetTagItem("db.system.name")));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _requests.Dispose();
    }

    private void Listen()
    {
        _listener.ShouldListenTo = source => source.Name is CacheSource || source == _requests;
        _listener.Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded;
        _listener.ActivityStopped = span =>
        {
            lock (_spans)
            {
                _spans.Add(span);
            }
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>
    /// One request span, in a fresh service provider (a fresh in-memory cache), that reads the key through the cache;
    /// returns the cache layer's spans of its trace once one matches <paramref name="until"/>.
    /// </summary>
    private async Task<List<Activity>> RequestAsync(string key, Func<Activity, bool> until)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:cache"] = redis.ConnectionString;
        builder.AddReadinessCache();
        await using var services = builder.Services.BuildServiceProvider();
        ActivityTraceId trace;
        using (var request = _requests.StartActivity("GET /api/checklists", ActivityKind.Server)!)
        {
            var value = await services.GetRequiredService<HybridCache>().GetOrCreateAsync(key, _ => ValueTask.FromResult("loaded once"));
            Assert.Equal("loaded once", value);
            trace = request.TraceId;
        }

        return await WaitForSpansAsync(trace, until);
    }

    private async Task<List<Activity>> WaitForSpansAsync(ActivityTraceId trace, Func<Activity, bool> last)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            lock (_spans)
            {
                var spans = _spans.Where(span => span.TraceId == trace && span.Source.Name == CacheSource).ToList();
                if (spans.Any(last))
                {
                    return spans;
                }
            }

            await Task.Delay(100);
        }

        lock (_spans)
        {
            var orphans = _spans.Where(span => span.Source.Name == CacheSource && span.Parent is null && span.ParentSpanId == default).Select(span => span.DisplayName);
            Assert.Fail($"No matching span in trace {trace}; cache spans that started traces of their own: {string.Join(", ", orphans)}");
            return [];
        }
    }
}
