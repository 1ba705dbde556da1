using StackExchange.Redis;

namespace WebApi.Caching;

/// <summary>
/// Counters in Redis, one per scope, that every write in the scope increments and that the keys of cached reads in
/// it include: <see cref="Catalog"/> for teams, services and reviews, <see cref="Tokens"/> for access tokens. After a write, every replica's next read asks for a key no one has cached yet, so a change is seen on the
/// next read from any replica; HybridCache's own tag removal reaches only the replica that made it.
/// When Redis cannot answer, there is no generation and reads skip the cache, so they are never stale, only slower.
/// Redis keeps nothing across a restart: a counter found missing starts from the current time in microseconds, above
/// any generation a replica's in-process cache may still hold from before, so an emptied Redis never brings back a key
/// (and with it a stale read, or a revoked token) that was cached under the same number before.
/// </summary>
public sealed partial class CacheGeneration(IConnectionMultiplexer redis, TimeProvider time, ILogger<CacheGeneration> logger)
{
    public const string Catalog = "catalog";
    public const string Tokens = "tokens";

    private static readonly RedisKey[] s_keys = [Key(Catalog), Key(Tokens)];

    /// <summary>
    /// Every scope's current generation in one round trip: a signed-in read needs the tokens' for its caller and the
    /// catalog's for its data. Requests read them through <see cref="CacheGenerationSnapshot"/>, once each.
    /// </summary>
    /// <returns>The current generations, or null when Redis is unreachable and the cache must not be used.</returns>
    public async Task<CacheGenerations?> ReadAsync()
    {
        try
        {
            var database = redis.GetDatabase();
            var values = await database.StringGetAsync(s_keys);
            if (Array.Exists(values, value => value.IsNull))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    if (values[i].IsNull)
                    {
                        await StartAsync(database, s_keys[i]);
                    }
                }

                values = await database.StringGetAsync(s_keys);
            }

            return new CacheGenerations(Catalog: (long)values[0], Tokens: (long)values[1]);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogUnavailable(logger, exception.GetType().Name);
            return null;
        }
    }

    /// <summary>Called after a write is committed. If Redis is away the entries still expire (one minute locally, five in Redis).</summary>
    /// <remarks>
    /// Not cancellable: the write is in, so a client that has gone must not leave every replica serving the old state,
    /// nor make the idempotency filter free a key whose resource exists.
    /// </remarks>
    public async Task BumpAsync(string scope = Catalog)
    {
        try
        {
            // One round trip on the write path: start the counter if Redis lost it, then increment.
            await redis.GetDatabase().ScriptEvaluateAsync(StartThenIncrement, [Key(scope)], [Start()]);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogUnavailable(logger, exception.GetType().Name);
        }
    }

    private const string StartThenIncrement = "redis.call('SET', KEYS[1], ARGV[1], 'NX') return redis.call('INCR', KEYS[1])";

    /// <summary>Sets the counter to <see cref="Start"/> unless it exists; one replica wins the race.</summary>
    private Task<bool> StartAsync(IDatabase database, RedisKey key) =>
        database.StringSetAsync(key, Start(), when: When.NotExists);

    /// <summary>The current time in microseconds: above any generation counted before Redis was emptied.</summary>
    private long Start() => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    private static RedisKey Key(string scope) => $"readiness:generation:{scope}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer for the cache generation ({ExceptionType}); reads bypass the cache.")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);
}

/// <summary>The cache generations of both scopes, read together.</summary>
public readonly record struct CacheGenerations(long Catalog, long Tokens);
