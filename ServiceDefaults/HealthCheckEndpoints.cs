using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDefaults.Health;
using ServiceDefaults.Management;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Liveness and readiness probes. Both are mapped in every environment because orchestrators
/// and load balancers probe production too; the body is only the aggregate status text, and results are
/// cached briefly (<see cref="HealthReportCache"/>). The full report is on the management port only.
/// </summary>
public static class HealthCheckEndpoints
{
    public const string BasePath = "/health";
    public const string LivenessPath = "/health/live";
    public const string ReadinessPath = "/health/ready";

    /// <summary>Checks with this tag say whether the process itself is alive; all other checks only gate readiness.</summary>
    public const string LiveTag = "live";

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        HealthProbeEndpoints.AddServices(builder.Services);

        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // A failing dependency must not make the orchestrator restart a healthy process, so liveness ignores them.
        app.MapGet(LivenessPath, context => HealthProbeEndpoints.WriteStatusAsync(context, HealthProbe.Live));
        app.MapGet(ReadinessPath, context => HealthProbeEndpoints.WriteStatusAsync(context, HealthProbe.Ready));
        ManagementEndpoints.MapManagementEndpoints(app);

        return app;
    }
}
