using Microsoft.AspNetCore.Diagnostics;

namespace WebApi.Http;

/// <summary>The answer while a dependency is away: 503 problem details with Retry-After, so clients and the proxy retry.</summary>
public static class DependencyUnavailable
{
    public static ValueTask<bool> WriteAsync(IProblemDetailsService problemDetails, HttpContext httpContext, Exception exception, string detail)
    {
        ArgumentNullException.ThrowIfNull(problemDetails);
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service Unavailable",
                Detail = detail,
            },
        });
    }
}
