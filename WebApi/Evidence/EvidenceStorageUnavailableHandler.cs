using Azure;
using Microsoft.AspNetCore.Diagnostics;
using WebApi.Http;

namespace WebApi.Evidence;

/// <summary>
/// Object storage being away is an outage of a dependency, as PostgreSQL's is (<see cref="Data.DatabaseUnavailableHandler"/>):
/// an upload or a download answers 503 problem details with Retry-After rather than a 500, which would read as a bug
/// and count toward the 5xx alert. Only the storage client throws <see cref="RequestFailedException"/>.
/// </summary>
public sealed partial class EvidenceStorageUnavailableHandler(IProblemDetailsService problemDetails, ILogger<EvidenceStorageUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!IsStorageUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, exception.GetType().Name);
        return await DependencyUnavailable.WriteAsync(problemDetails, httpContext, exception, "The evidence storage is unreachable right now; retry shortly.");
    }

    /// <summary>
    /// A request that got no answer (status 0: refused, reset, timed out) or a server error; after its retries the
    /// client throws them together. A 4xx is a bug here, and stays a 500.
    /// </summary>
    public static bool IsStorageUnavailable(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or >= 500 } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsStorageUnavailable),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The evidence storage is unavailable ({ExceptionType}); answered 503.")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);
}
