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
            .WithEndpoint(targetPort: 8081, scheme: "http", name: StatusEndpointName)
            .WithEnvironment("PROXY_API_RATE", builder.Configuration["Proxy:ApiRate"] ?? "50r/s")
            .WithEnvironment("PROXY_API_BURST", builder.Configuration["Proxy:ApiBurst"] ?? "100")
            .WithEnvironment("PROXY_MAX_BODY_SIZE", "1m")
            .WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode)
                {
                    context.EnvironmentVariables["PROXY_SERVER_NAMES"] = "localhost 127.0.0.1";
                    return;
                }

                // Deployed, the platform's ingress decides which host names reach the proxy; Proxy:ServerNames narrows it.
                context.EnvironmentVariables["PROXY_SERVER_NAMES"] = builder.Configuration["Proxy:ServerNames"] ?? "~.";
                foreach (var (name, value) in ContainerVariables(resource))
                {
                    context.EnvironmentVariables[name] = value;
                }
            });
    }

    /// <summary>
    /// The template variables the local run fills with its own paths and ports, as the container image has them:
    /// Debian's nginx paths, directories the non-root user owns, the endpoints' target ports and a mountable certificate.
    /// </summary>
    internal static IEnumerable<KeyValuePair<string, string>> ContainerVariables(NginxResource nginx)
    {
        string TargetPort(string endpoint, int fallback) =>
            (nginx.OfAnnotation<EndpointAnnotation>().SingleOrDefault(e => e.Name == endpoint)?.TargetPort ?? fallback)
            .ToString(System.Globalization.CultureInfo.InvariantCulture);

        yield return new("NGINX_WORKER_PROCESSES", "auto");
        yield return new("NGINX_MODULES_DIR", "/usr/lib/nginx/modules");
        yield return new("NGINX_MIME_TYPES", "/etc/nginx/mime.types");
        yield return new("NGINX_CONF_DIR", "/var/lib/proxy/conf");
        yield return new("NGINX_RUN_DIR", "/var/lib/proxy/run");
        yield return new("NGINX_CACHE_DIR", "/var/cache/proxy");
        yield return new("NGINX_ACCESS_LOG", "/dev/stdout");
        yield return new("NGINX_STATUS_LISTEN", $"127.0.0.1:{TargetPort(StatusEndpointName, 8081)}");
        yield return new("PROXY_HTTP_PORT", TargetPort("http", 8080));
        yield return new("PROXY_HTTPS_PORT", TargetPort("https", 8443));
        // Clients reach HTTPS on the standard port of the load balancer or ingress in front of the container.
        yield return new("PROXY_HTTPS_PUBLIC_PORT", "443");
        // Container Apps' ingress terminates TLS and forwards plain HTTP: serve it (Kubernetes with its own certificate: "redirect").
        yield return new("PROXY_PLAIN_HTTP", "serve");
        // Kubernetes TLS secrets mount as tls.crt and tls.key; without one the image creates a self-signed pair here.
        yield return new("PROXY_CERTIFICATE", "/etc/proxy/tls/tls.crt");
        yield return new("PROXY_CERTIFICATE_KEY", "/etc/proxy/tls/tls.key");
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
