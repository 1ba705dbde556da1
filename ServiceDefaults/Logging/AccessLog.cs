using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Logging;

/// <summary>
/// One line per request (method, path without query, status, duration), so every request's trace id is in the logs:
/// Information, or Warning for a 5xx answer. Probes and scrapes are left out, as they are from traces. Its category's
/// level chooses: <c>Logging__LogLevel__ServiceDefaults.AccessLog=Warning</c> keeps the failed requests only (what a
/// service behind a proxy that logs every request wants: WebApi's appsettings), <c>Error</c> none. Not ASP.NET Core's HttpLogging: its
/// message is a multi-line block, and its category had to be switched on in code, which configuration could not undo.
/// </summary>
internal static partial class AccessLog
{
    public const string Category = "ServiceDefaults.AccessLog";

    /// <summary>First in the pipeline, so the line has the status and the time the client saw, error pages included.</summary>
    public static void AddServices(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, AccessLogStartupFilter>());

    private static async Task LogRequestAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        if (!logger.IsEnabled(LogLevel.Warning) || !TraceFilter.ShouldTrace(context))
        {
            await next(context);
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            // An exception that got past every handler is answered 500 by the server after this line.
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var elapsed = Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
            var level = status >= StatusCodes.Status500InternalServerError ? LogLevel.Warning : LogLevel.Information;
            RequestCompleted(logger, level, context.Request.Method, context.Request.Path.Value ?? "/", status, elapsed);
        }
    }

    [LoggerMessage(EventId = 1, Message = "{Method} {Path} responded {StatusCode} in {ElapsedMilliseconds} ms")]
    private static partial void RequestCompleted(ILogger logger, LogLevel level, string method, string path, int statusCode, double elapsedMilliseconds);

    private sealed class AccessLogStartupFilter(ILoggerFactory loggers) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var logger = loggers.CreateLogger(Category);
            app.Use((context, nextMiddleware) => LogRequestAsync(context, nextMiddleware, logger));
            next(app);
        };
    }
}
