using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using ServiceDefaults.Health;
using ServiceDefaults.Management;
using ServiceDefaults.Security;

namespace ServiceDefaults.Overload;

/// <summary>
/// Load shedding: at most <see cref="OverloadOptions.MaxConcurrentRequests"/> requests in progress, a short queue
/// behind them, and every request beyond answered at once with 503 problem details and <c>Retry-After</c>, so an
/// overloaded process stays quick to answer and recovers as soon as the load drops. Health probes and the
/// management port are never shed: an orchestrator must not restart a busy replica.
/// </summary>
/// <remarks>
/// A middleware of its own (a <see cref="ConcurrencyLimiter"/>), not ASP.NET Core's rate limiter's global limiter:
/// it runs ahead of the application's whole pipeline (only the access log is before it), so a shed request costs no
/// authentication (a token is a database lookup) or anything else, and it gives its own 503 answer, while a service's named rate-limiting policies (WebApi's
/// sign-in limit, answered 429 per client) stay where that service puts <c>UseRateLimiter</c>.
/// </remarks>
internal sealed class OverloadProtection : IDisposable
{
    private readonly ConcurrencyLimiter? limiter;
    private readonly OverloadOptions options;
    private readonly OverloadMetrics metrics;
    private readonly int? managementPort;
    private readonly string retryAfter;

    public OverloadProtection(IOptions<OverloadOptions> options, OverloadMetrics metrics, IConfiguration configuration)
    {
        this.options = options.Value;
        this.metrics = metrics;
        managementPort = ManagementEndpoints.GetPort(configuration);
        retryAfter = this.options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        if (this.options.MaxConcurrentRequests > 0)
        {
            limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = this.options.MaxConcurrentRequests,
                QueueLimit = this.options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }

    public static void AddServices(IServiceCollection services)
    {
        services.AddOptions<OverloadOptions>()
            .BindConfiguration(OverloadOptions.SectionName)
            .Validate(o => o.MaxConcurrentRequests >= 0 && o.QueueLimit >= 0 && o.QueueTimeout > TimeSpan.Zero && o.RetryAfterSeconds >= 0,
                $"{OverloadOptions.SectionName}: MaxConcurrentRequests, QueueLimit and RetryAfterSeconds must not be negative, and QueueTimeout must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<OverloadMetrics>();
        services.TryAddSingleton<OverloadProtection>();
        // After the access log's filter (AddStructuredLogging runs first), so a shed request still has its access line.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, OverloadStartupFilter>());
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(OverloadMetrics.MeterName));
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (limiter is null || HealthProbeEndpoints.IsOrchestrators(context, managementPort))
        {
            await next(context);
            return;
        }

        // The common case, without allocating: a place is free and nobody is waiting for one.
        using (var lease = limiter.AttemptAcquire())
        {
            if (lease.IsAcquired)
            {
                await next(context);
                return;
            }
        }

        RateLimitLease queued;
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            waiting.CancelAfter(options.QueueTimeout);
            try
            {
                queued = await limiter.AcquireAsync(1, waiting.Token);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client gave up while waiting: nobody to answer.
                context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
                return;
            }
            catch (OperationCanceledException)
            {
                await ShedAsync(context, OverloadMetrics.QueueTimeout);
                return;
            }
        }

        using (queued)
        {
            if (!queued.IsAcquired)
            {
                await ShedAsync(context, OverloadMetrics.QueueFull);
                return;
            }

            await next(context);
        }
    }

    /// <summary>Requests in progress and waiting now; null when shedding is off.</summary>
    public RateLimiterStatistics? Statistics => limiter?.GetStatistics();

    public void Dispose() => limiter?.Dispose();


    private async Task ShedAsync(HttpContext context, string reason)
    {
        metrics.Shed(reason);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = retryAfter;
        response.Headers.CacheControl = "no-store";
        // This runs before UseDefaultSecurity, whose headers this answer would otherwise lack.
        SecurityHeaders.Apply(response.Headers);
        var written = await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = "The server is busy; retry after the number of seconds in Retry-After.",
            },
        });
        if (!written)
        {
            // A client that accepts no JSON still gets a reason.
            response.ContentType = "text/plain";
            await response.WriteAsync("The server is busy; retry later.", context.RequestAborted);
        }
    }

    private sealed class OverloadStartupFilter(OverloadProtection protection) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) => protection.InvokeAsync(context, nextMiddleware));
            next(app);
        };
    }
}
