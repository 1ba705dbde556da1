using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using ServiceDefaults.Health;

namespace ServiceDefaults.Management;

/// <summary>
/// The internal management port (<c>Management:Port</c>, env <c>Management__Port</c>): Prometheus metrics and
/// the detailed health report, served only to connections on that port, which the proxy does not route.
/// Without the setting neither endpoint exists, so a single-port deployment never exposes them publicly.
/// </summary>
internal static class ManagementEndpoints
{
    public const string PortKey = "Management:Port";
    public const string MetricsPath = "/metrics";
    public const string HealthDetailsPath = "/health/details";

    public static int? GetPort(IConfiguration configuration) => configuration.GetValue<int?>(PortKey);

    public static void AddManagementServices(IServiceCollection services, IConfiguration configuration)
    {
        if (GetPort(configuration) is null)
        {
            return;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, LocalPortMatcherPolicy>());
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
    }

    public static void MapManagementEndpoints(WebApplication app)
    {
        if (GetPort(app.Configuration) is not { } port)
        {
            return;
        }

        var onManagementPort = new LocalPortMetadata(port);
        app.MapPrometheusScrapingEndpoint(MetricsPath).WithMetadata(onManagementPort);
        app.MapGet(HealthDetailsPath, HealthProbeEndpoints.WriteDetailsAsync).WithMetadata(onManagementPort);
    }
}
