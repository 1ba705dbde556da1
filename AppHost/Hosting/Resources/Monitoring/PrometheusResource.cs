using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

/// <summary>Prometheus from Debian's packages, scraping the resources named with <see cref="PrometheusBuilderExtensions.WithScrapeTarget"/>.</summary>
public sealed class PrometheusResource(string name) : Resource(name), IResourceWithEndpoints, IResourceWithWaitSupport
{
    public List<string> RuleFiles { get; } = [];

    /// <summary>Each target resource with the endpoint its metrics are served on.</summary>
    public List<(IResourceWithEndpoints Resource, string EndpointName, string MetricsPath)> ScrapeTargets { get; } = [];

    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public static class PrometheusBuilderExtensions
{
    public static IResourceBuilder<PrometheusResource> AddPrometheus(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new PrometheusResource(name))
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/-/ready")
            .ExcludeFromManifest();

    /// <summary>Alert and recording rules, relative to the AppHost project; checked by promtool before start.</summary>
    public static IResourceBuilder<PrometheusResource> WithAlertRules(this IResourceBuilder<PrometheusResource> builder, string path)
    {
        builder.Resource.RuleFiles.Add(Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory));
        return builder;
    }

    /// <summary>
    /// Scrapes every replica of a resource: a project on its internal management endpoint (ServiceDefaults serves
    /// /metrics there, never on the public port), an exporter on its metrics endpoint.
    /// </summary>
    public static IResourceBuilder<PrometheusResource> WithScrapeTarget<T>(this IResourceBuilder<PrometheusResource> builder, IResourceBuilder<T> target)
        where T : IResourceWithEndpoints
    {
        var endpoint = target.Resource is ProjectResource ? ProjectResourceBuilderExtensions.ManagementEndpointName : MonitoringEndpoints.MetricsEndpointName;
        builder.Resource.ScrapeTargets.Add((target.Resource, endpoint, "/metrics"));
        builder.WithAnnotation(new ResourceReferenceAnnotation(target.Resource));
        return builder;
    }
}
