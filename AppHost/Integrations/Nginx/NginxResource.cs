using Aspire.Hosting;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// nginx configured from the templates in a folder that also holds the Dockerfile deploying the same templates.
/// Run: Debian's nginx as a local process with the templates rendered by the AppHost. Publish: that Dockerfile.
/// </summary>
public sealed class NginxResource(string name, string contextPath) : ExecutableResource(name, "/usr/sbin/nginx", contextPath)
{
    internal const string HttpEndpointName = "http";
    internal const string HttpsEndpointName = "https";
    internal const string StatusEndpointName = "status";

    /// <summary>The folder holding the Dockerfile and <c>templates/</c>.</summary>
    public string ContextPath => WorkingDirectory;

    /// <summary>The <c>*.template</c> files, rendered as the container's entrypoint renders them with envsubst.</summary>
    public string TemplatesPath => Path.Combine(ContextPath, "templates");

    /// <summary>The projects whose replicas nginx balances across, each under <c>${UPSTREAM_NAME}</c>.</summary>
    internal List<(IResourceWithEndpoints Target, string EndpointName)> Upstreams { get; } = [];

    /// <summary>Template variables the model sets in every mode (rate limits, body size); the container gets them as environment.</summary>
    internal Dictionary<string, string> TemplateVariables { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the local run keeps the rendered configuration, temp files and cache.</summary>
    internal string? LocalPrefix { get; set; }

    /// <summary>The local run's certificate authority and server certificate.</summary>
    internal LocalCertificateAuthority? Certificates { get; set; }

    /// <summary>
    /// The upstream servers of the configuration nginx runs with (its start's, or the last reload's), so a change of
    /// replica ports is told from one it already has.
    /// </summary>
    internal string? RunningUpstreams { get; set; }

    /// <summary>The loopback-only endpoint where nginx serves stub_status for its exporter.</summary>
    public EndpointReference StatusEndpoint => field ??= new(this, StatusEndpointName);
}
