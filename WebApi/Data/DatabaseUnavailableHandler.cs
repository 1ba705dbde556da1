using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using WebApi.Http;

namespace WebApi.Data;

/// <summary>
/// PostgreSQL being away (restarting, unreachable, out of connections) is an outage of a dependency, not a bug:
/// it answers 503 problem details with Retry-After, so clients and the proxy retry instead of reporting a crash.
/// </summary>
public sealed partial class DatabaseUnavailableHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!IsDatabaseUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, exception.GetType().Name);
        return await DependencyUnavailable.WriteAsync(problemDetails, httpContext, exception, "The database is unreachable right now; retry shortly.");
    }

    /// <summary>True for the failures a database outage produces; false for bugs, which stay 500s.</summary>
    public static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        RetryLimitExceededException => true,
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: SocketException or TimeoutException } => true,
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" } => true, // shutting down, starting up, too many clients
        TimeoutException => true,
        _ => exception.InnerException is { } inner && IsDatabaseUnavailable(inner),
    };

    // The exception type only: its message may quote a connection string.
    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is unavailable ({ExceptionType}); answered 503.")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);
}
