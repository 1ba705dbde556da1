using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
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

    /// <summary>
    /// The orchestrator's own requests: a probe (GET or HEAD of liveness or readiness), or anything on the management
    /// port (metrics, details). Their answers depend on neither the load nor the host, so they are never shed
    /// (OverloadProtection) nor host-filtered (HostFilteringDefaults): a kubelet names the pod's address as its host.
    /// </summary>
    public static bool IsOrchestrators(HttpContext context, int? managementPort) =>
        context.Connection.LocalPort == managementPort
        || (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && (context.Request.Path.Equals(HealthCheckEndpoints.LivenessPath, StringComparison.OrdinalIgnoreCase)
                || context.Request.Path.Equals(HealthCheckEndpoints.ReadinessPath, StringComparison.OrdinalIgnoreCase));

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
        var details = new HealthDetails(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(entry => entry.Key, entry => new HealthCheckDetails(
                entry.Value.Status.ToString(),
                Redact(entry.Value.Description),
                entry.Value.Duration.TotalMilliseconds,
                Redact(entry.Value.Exception?.Message),
                entry.Value.Tags,
                entry.Value.Data.ToDictionary(
                    data => data.Key,
                    data => LogRedactor.IsSensitiveKey(data.Key) ? LogRedactor.Mask : Redact(Convert.ToString(data.Value, System.Globalization.CultureInfo.InvariantCulture))))));
        await context.Response.WriteAsJsonAsync(details, HealthDetailsJson.Default.HealthDetails, cancellationToken: context.RequestAborted);
    }

    private static int StatusCodeOf(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;

    private static string? Redact(string? text) => text is null ? null : LogRedactor.RedactText(text);
}

internal sealed record HealthDetails(string Status, double DurationMs, Dictionary<string, HealthCheckDetails> Checks);

internal sealed record HealthCheckDetails(string Status, string? Description, double DurationMs, string? Error, IEnumerable<string> Tags, Dictionary<string, string?> Data);

/// <summary>Written without reflection, so that a service compiled ahead of time (Native AOT) reports its health too.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthDetails))]
internal sealed partial class HealthDetailsJson : JsonSerializerContext;
