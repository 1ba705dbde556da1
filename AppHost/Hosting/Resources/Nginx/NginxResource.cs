using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

/// <summary>
/// nginx configured from the templates in a folder (with the Dockerfile that deploys the same templates).
/// Locally it runs Debian's nginx with the templates rendered by the AppHost.
/// </summary>
public sealed class NginxResource(string name, string contextPath) : Resource(name), IResourceWithEnvironment, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>The folder holding the Dockerfile and the <c>templates/</c> directory.</summary>
    public string ContextPath { get; } = contextPath;

    public string TemplatesPath => Path.Combine(ContextPath, "templates");
}

public static class NginxBuilderExtensions
{
    /// <summary>The loopback-only endpoint where nginx serves stub_status for the metrics exporter.</summary>
    public const string StatusEndpointName = "status";

    public static IResourceBuilder<NginxResource> AddNginx(this IDistributedApplicationBuilder builder, string name, string contextPath)
    {
        var resource = new NginxResource(name, Path.GetFullPath(contextPath, builder.AppHostDirectory));
        return builder.AddResource(resource)
            .WithEndpoint(StatusEndpointName, "http", targetPort: 8081)
            .WithEnvironment("PROXY_API_RATE", builder.Configuration["Proxy:ApiRate"] ?? "50r/s")
            .WithEnvironment("PROXY_API_BURST", builder.Configuration["Proxy:ApiBurst"] ?? "100")
            .WithEnvironment("PROXY_MAX_BODY_SIZE", "1m")
            .WithEnvironment("PROXY_SERVER_NAMES", "localhost 127.0.0.1");
    }

    /// <summary>
    /// Routes to every replica of <paramref name="project"/>: the template's <c>${UPSTREAM_NAME}</c> becomes one
    /// <c>server</c> line per replica, with passive failure detection.
    /// </summary>
    public static IResourceBuilder<NginxResource> WithUpstream(this IResourceBuilder<NginxResource> builder, IResourceBuilder<ProjectResource> project, string endpointName = "http")
    {
        var target = project.Resource;
        builder.WithAnnotation(new ResourceReferenceAnnotation(target));
        return builder.WithEnvironment(context =>
        {
            var replicas = context.ExecutionContext.IsRunMode ? target.Replicas() : 1;
            var servers = Enumerable.Range(0, replicas).SelectMany(i => new object[]
            {
                "server ",
                new EndpointReference(target, endpointName, i).Property(EndpointProperty.HostAndPort),
                " max_fails=1 fail_timeout=5s; ",
            });
            context.EnvironmentVariables[$"UPSTREAM_{target.Name.ToUpperInvariant().Replace('-', '_')}"] = ReferenceExpression.Concat(servers);
        });
    }
}
