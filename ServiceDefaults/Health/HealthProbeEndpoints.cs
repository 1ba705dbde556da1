using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDefaults.Logging;

namespace ServiceDefaults.Health;

internal static class HealthProbeEndpoints
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddOptions<HealthProbeOptions>().BindConfiguration(HealthProbeOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthReportCache>();
    }

    /// <summary>The public answer: the status text only, 503 when unhealthy so load balancers take the replica out.</summary>
    public static async Task WriteStatusAsync(HttpContext context, HealthProbe probe)
    {
        var report = await context.RequestServices.GetRequiredService<HealthReportCache>().GetReportAsync(probe);

        context.Response.StatusCode = StatusCodeOf(report.Status);
        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(report.Status.ToString(), context.RequestAborted);
    }

    /// <summary>The readiness report with every check, for operators on the management port; secrets masked.</summary>
    public static async Task WriteDetailsAsync(HttpContext context)
    {
        var report = await context.RequestServices.GetRequiredService<HealthReportCache>().GetReportAsync(HealthProbe.Ready);

        context.Response.StatusCode = StatusCodeOf(report.Status);
        context.Response.Headers.CacheControl = "no-store, no-cache";
        await context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(entry => entry.Key, entry => new
            {
                status = entry.Value.Status.ToString(),
                description = Redact(entry.Value.Description),
                durationMs = entry.Value.Duration.TotalMilliseconds,
                error = Redact(entry.Value.Exception?.Message),
                tags = entry.Value.Tags,
                data = entry.Value.Data.ToDictionary(
                    data => data.Key,
                    data => LogRedactor.IsSensitiveKey(data.Key) ? LogRedactor.Mask : Redact(Convert.ToString(data.Value, System.Globalization.CultureInfo.InvariantCulture))),
            }),
        }, context.RequestAborted);
    }

    private static int StatusCodeOf(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;

    private static string? Redact(string? text) => text is null ? null : LogRedactor.RedactText(text);
}
