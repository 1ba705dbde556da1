using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Management;

namespace ServiceDefaults.Telemetry;

internal static class TraceFilter
{
    /// <summary>
    /// Probes and scrapes arrive every few seconds from the orchestrator and Prometheus; tracing them only
    /// buries real traffic.
    /// </summary>
    public static bool ShouldTrace(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(HealthCheckEndpoints.BasePath)
        && !context.Request.Path.StartsWithSegments(ManagementEndpoints.MetricsPath);
}
