using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Health;
using ServiceDefaults.Management;

namespace ServiceDefaults.Security;

/// <summary>
/// Host filtering by the <c>AllowedHosts</c> setting (a missing setting means any host; the deploy audit refuses that
/// in Production), answering a bare 400 instead of an HTML page, for every request but the orchestrator's own: the
/// health probes and the management port. A kubelet's probe and a Prometheus scrape name the pod's address as their
/// host, never the public name, and refusing them kept every replica unready and restarting. Their answers do not
/// depend on the host, which is what the filter guards.
/// </summary>
internal static class HostFilteringDefaults
{
    // The web host's own filter, which runs first for every request with no way to exempt a path.
    private const string FrameworkFilter = "Microsoft.AspNetCore.HostFilteringStartupFilter";

    public static IServiceCollection AddHostFilteringDefaults(this IServiceCollection services)
    {
        services.PostConfigure<HostFilteringOptions>(options => options.IncludeFailureMessage = false);

        // In the framework filter's place, so the order of the first middleware stays as it was.
        var framework = services.Select((descriptor, index) => (descriptor, index))
            .FirstOrDefault(pair => pair.descriptor.ServiceType == typeof(IStartupFilter) && pair.descriptor.ImplementationType?.FullName == FrameworkFilter);
        var replacement = ServiceDescriptor.Transient<IStartupFilter, OrchestratorExemptHostFilteringStartupFilter>();
        if (framework.descriptor is null)
        {
            services.Add(replacement);
        }
        else
        {
            services[framework.index] = replacement;
        }

        return services;
    }

    private sealed class OrchestratorExemptHostFilteringStartupFilter(IConfiguration configuration) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var managementPort = ManagementEndpoints.GetPort(configuration);
            app.UseWhen(context => !HealthProbeEndpoints.IsOrchestrators(context, managementPort), filtered => filtered.UseHostFiltering());
            next(app);
        };
    }
}
