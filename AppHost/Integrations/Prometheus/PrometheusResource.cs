namespace Aspire.Hosting.ApplicationModel;

/// <summary>Prometheus from Debian's packages, run by DCP as a local process, scraping the resources it is given.</summary>
public sealed class PrometheusResource(string name, string workingDirectory) : ExecutableResource(name, "/usr/bin/prometheus", workingDirectory)
{
    internal const string PrimaryEndpointName = "http";

    /// <summary>Alert and recording rule files, checked by promtool before start.</summary>
    internal List<string> RuleFiles { get; } = [];

    /// <summary>Each target resource and the endpoint its /metrics is served on.</summary>
    internal List<(IResourceWithEndpoints Resource, string EndpointName)> ScrapeTargets { get; } = [];

    /// <summary>How often every target is scraped and rules evaluated.</summary>
    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A Prometheus exporter from Debian's packages, for a server that cannot serve metrics itself.</summary>
public sealed class PrometheusExporterResource(string name, string command, string workingDirectory) : ExecutableResource(name, command, workingDirectory)
{
    internal const string MetricsEndpointName = "metrics";
}
