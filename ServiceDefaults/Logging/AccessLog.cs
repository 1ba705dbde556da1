using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Logging;

/// <summary>
/// One Information line per request (method, path without query, status, duration), so every request's trace id
/// is in the logs. Probes and scrapes are left out, as they are from traces. Turned off by setting the level of
/// <c>Microsoft.AspNetCore.HttpLogging</c> to Warning.
/// </summary>
internal static class AccessLog
{
    private const string Category = "Microsoft.AspNetCore.HttpLogging";

    public static void AddServices(IServiceCollection services)
    {
        services.AddHttpLogging(logging =>
        {
            logging.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
                | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            logging.CombineLogs = true;
        });
        services.AddHttpLoggingInterceptor<SkipProbesAndScrapes>();
        // More specific than the usual "Microsoft.AspNetCore": "Warning", so the access log stays on by default.
        services.AddLogging(builder => builder.AddFilter(Category, LogLevel.Information));
    }

    public static void Use(WebApplication app) => app.UseHttpLogging();

    private sealed class SkipProbesAndScrapes : IHttpLoggingInterceptor
    {
        public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
        {
            if (!TraceFilter.ShouldTrace(logContext.HttpContext))
            {
                logContext.LoggingFields = HttpLoggingFields.None;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext) => ValueTask.CompletedTask;
    }
}
