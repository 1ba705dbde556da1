using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WebApi.Accounts;

namespace WebApi.Scans;

/// <summary>
/// How many scans one user may queue a minute, counted in Redis: every replica shares the count, where an in-process
/// limiter would grant the full quota once per replica.
/// </summary>
public sealed partial class ScanQuotaFilter(
    IConnectionMultiplexer redis, IOptions<ScanOptions> options, TimeProvider time, ILogger<ScanQuotaFilter> logger) : IEndpointFilter
{
    // One round trip, and the window's key always expires even if the caller dies between the two commands.
    private const string CountScript = "local count = redis.call('INCR', KEYS[1]) if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return count";
    private const int WindowSeconds = 60;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var key = $"ratelimit:scans:{context.HttpContext.User.UserId()}:{now / WindowSeconds}";
        long count;
        try
        {
            count = (long)await redis.GetDatabase().ScriptEvaluateAsync(CountScript, [key], [WindowSeconds * 1000]);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Open rather than closed: the queue still de-duplicates targets and each worker's concurrency bounds the cost.
            LogQuotaUnavailable(exception);
            return await next(context);
        }

        var limit = options.Value.PerUserPerMinute;
        if (count <= limit)
        {
            return await next(context);
        }

        var retryAfter = WindowSeconds - (now % WindowSeconds);
        context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too Many Requests",
            detail: $"You may queue {limit} scans a minute; try again in {retryAfter} s.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scan quota could not be counted (Redis unavailable); the scan is let through")]
    private partial void LogQuotaUnavailable(Exception exception);
}
