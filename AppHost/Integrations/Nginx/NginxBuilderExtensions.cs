using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>The edge proxy: nginx from <c>Proxy/</c>, Debian's binary when run, its Dockerfile when published.</summary>
public static partial class NginxBuilderExtensions
{
    private const string ModulesDirectory = "/usr/lib/nginx/modules";

    // ServiceDefaults' readiness endpoint, served by every project on its public port.
    private const string ReadyPath = "/health/ready";

    private static readonly (string File, string Package)[] s_requiredModules =
    [
        ("ngx_http_headers_more_filter_module.so", "libnginx-mod-http-headers-more-filter"),
        ("ngx_http_brotli_filter_module.so", "libnginx-mod-http-brotli-filter"),
    ];

    /// <summary>
    /// Adds nginx configured from <paramref name="contextPath"/>'s templates, serving plain HTTP on
    /// <paramref name="httpPort"/> (a redirect) and HTTPS on <paramref name="httpsPort"/> with a certificate from the
    /// AppHost's local certificate authority. Published, the folder's Dockerfile builds the image and plain HTTP is
    /// the one external endpoint, behind the platform's TLS-terminating ingress.
    /// </summary>
    public static IResourceBuilder<NginxResource> AddNginx(this IDistributedApplicationBuilder builder, [ResourceName] string name, string contextPath, int httpPort = 8080, int httpsPort = 8443)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var nginx = new NginxResource(name, Path.GetFullPath(contextPath, builder.AppHostDirectory));
        nginx.TemplateVariables["PROXY_API_RATE"] = builder.Configuration["Proxy:ApiRate"] ?? "50r/s";
        nginx.TemplateVariables["PROXY_API_BURST"] = builder.Configuration["Proxy:ApiBurst"] ?? "100";
        // Requests in progress at once (README, "Overload"): one client's, and everyone's towards the services.
        nginx.TemplateVariables["PROXY_MAX_CONNECTIONS_PER_CLIENT"] = builder.Configuration["Proxy:MaxConnectionsPerClient"] ?? "64";
        nginx.TemplateVariables["PROXY_MAX_CONNECTIONS"] = builder.Configuration["Proxy:MaxConnections"] ?? "256";
        nginx.TemplateVariables["PROXY_MAX_BODY_SIZE"] = "1m";
        // Evidence uploads: WebApi's own limit (10 MiB, Evidence__MaxUploadBytes) plus multipart framing.
        nginx.TemplateVariables["PROXY_UPLOAD_MAX_BODY_SIZE"] = builder.Configuration["Proxy:UploadMaxBodySize"] ?? "11m";
        var resource = builder.AddResource(nginx).WithIconName("ArrowRouting");

        if (builder.ExecutionContext.IsPublishMode)
        {
            return resource
                .WithHttpEndpoint(targetPort: 8080, name: NginxResource.HttpEndpointName).WithExternalHttpEndpoints()
                .WithHttpsEndpoint(targetPort: 8443, name: NginxResource.HttpsEndpointName)
                .WithEnvironment(context =>
                {
                    foreach (var (variable, value) in nginx.TemplateVariables)
                    {
                        context.EnvironmentVariables[variable] = value;
                    }

                    // Deployed, the platform's ingress decides which host names reach the proxy; Proxy:ServerNames narrows it.
                    context.EnvironmentVariables["PROXY_SERVER_NAMES"] = builder.Configuration["Proxy:ServerNames"] ?? "~.";
                    foreach (var (variable, value) in ContainerVariables())
                    {
                        context.EnvironmentVariables[variable] = value;
                    }
                })
                .PublishAsDockerFile();
        }

        var prefix = nginx.LocalPrefix = Path.Combine(LocalServers.DataDirectory(builder), "run", name);
        var certificates = nginx.Certificates = new LocalCertificateAuthority(Path.Combine(LocalServers.DataDirectory(builder), "certs"));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(nginx, async (@event, cancellationToken) =>
        {
            LocalServers.RequireFile(nginx.Command, "nginx");
            foreach (var (file, package) in s_requiredModules)
            {
                LocalServers.RequireFile(Path.Combine(ModulesDirectory, file), package);
            }

            certificates.EnsureServerCertificate();
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NginxBuilderExtensions));
            var httpsPort = nginx.GetEndpoint(NginxResource.HttpsEndpointName).Port;
            LogTrustHint(logger, nginx.Name, httpsPort, certificates.CaCertificatePath);
            var replicas = @event.Services.GetRequiredService<ReplicaWatcher>();
            foreach (var (target, endpointName) in nginx.Upstreams)
            {
                // This handler runs before Aspire's own WaitFor handler: nginx starts once every replica has a port
                // and one of them serves.
                await replicas.WaitForReplicasAsync(target, endpointName, ReadyPath, cancellationToken);
            }

            var servers = UpstreamServers(nginx, upstream => replicas.CurrentPorts(upstream.Target, upstream.EndpointName));
            await RenderAsync(nginx, prefix, certificates, servers, cancellationToken);
            if (await CheckConfigurationAsync(nginx, prefix, cancellationToken) is { } rejection)
            {
                throw new DistributedApplicationException($"{nginx.Name}: nginx -t rejected {Path.Combine(prefix, "conf", "nginx.conf")}: {rejection}");
            }

            nginx.RunningUpstreams = Describe(servers);
        });

        return resource
            .WithLocalEndpoint(NginxResource.HttpEndpointName, "http", httpPort, isExternal: true)
            .WithLocalEndpoint(NginxResource.HttpsEndpointName, "https", httpsPort, isExternal: true)
            .WithLocalEndpoint(NginxResource.StatusEndpointName, "http")
            .WithArgs("-p", prefix, "-c", Path.Combine(prefix, "conf", "nginx.conf"), "-e", "stderr", "-g", "daemon off;")
            .WithHttpHealthCheck("/stub_status", endpointName: NginxResource.StatusEndpointName);
    }

    /// <summary>
    /// Routes to every replica of <paramref name="project"/>: the template's <c>${UPSTREAM_NAME}</c> becomes one
    /// <c>server</c> line per replica, on the replica's own port (never DCP's proxy), with passive failure detection.
    /// When a replica starts again on another port, nginx reloads its configuration.
    /// </summary>
    public static IResourceBuilder<NginxResource> WithUpstream(this IResourceBuilder<NginxResource> builder, IResourceBuilder<ProjectResource> project, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(project);
        var nginx = builder.Resource;
        var upstream = (project.Resource, endpointName);
        nginx.Upstreams.Add(upstream);
        builder.WithReferenceRelationship(project.Resource);
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            // Deployed, the public origin is the domain people use, which only the operator knows (Proxy:PublicOrigin);
            // the services' links and their scan of themselves use it. Without it they scan nothing of themselves.
            if (builder.ApplicationBuilder.Configuration["Proxy:PublicOrigin"] is { Length: > 0 } publicOrigin)
            {
                project.WithEnvironment("PublicOrigin", publicOrigin);
            }

            var endpoint = project.GetEndpoint(endpointName);
            return builder.WithEnvironment(UpstreamVariable(project.Resource), ReferenceExpression.Create(
                $"server {endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)} max_fails=1 fail_timeout=5s;"));
        }

        // Links a service writes for people (email confirmation, password reset) point at the origin they use: the proxy.
        project.WithEnvironment("PublicOrigin", builder.GetEndpoint(NginxResource.HttpsEndpointName));
        // The service scans itself at that origin: a local run's proxy is on loopback, behind the run's own CA.
        project.WithEnvironment("Scanner__AllowedTargets", "127.0.0.1,::1,localhost");
        if (nginx.Certificates is { } certificates)
        {
            project.WithEnvironment("Scanner__TrustedRootCertificates", certificates.CaCertificatePath);
        }

        ReplicaBuilderExtensions.WatchReplicaPorts(builder.ApplicationBuilder, project.Resource, endpointName, nginx, async (replicas, cancellationToken) =>
        {
            // Before nginx runs, its start renders the configuration; a change between that render and the process
            // comes back with nginx's next event. Once it runs: rendered again from the current state of every
            // upstream, then SIGHUP, which nginx applies without dropping a connection.
            if (replicas.ProcessId(nginx) is not int pid)
            {
                return false;
            }

            var servers = UpstreamServers(nginx, u => replicas.CurrentPorts(u.Target, u.EndpointName));
            var wanted = Describe(servers);
            if (wanted == nginx.RunningUpstreams)
            {
                return true;
            }

            await RenderAsync(nginx, nginx.LocalPrefix!, nginx.Certificates!, servers, cancellationToken);
            if (await CheckConfigurationAsync(nginx, nginx.LocalPrefix!, cancellationToken) is { } rejection)
            {
                // nginx would keep its old configuration anyway; say why rather than reload into an error.
                throw new InvalidOperationException($"nginx -t rejected the new upstreams, not reloaded: {rejection}");
            }

            using var reload = System.Diagnostics.Process.Start("/bin/kill", ["-HUP", pid.ToString(CultureInfo.InvariantCulture)]);
            await reload.WaitForExitAsync(cancellationToken);
            if (reload.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -HUP {pid} exited with code {reload.ExitCode}: nginx was not told of the new upstreams");
            }

            nginx.RunningUpstreams = wanted;
            return true;
        });
        return builder;
    }

    internal static string UpstreamVariable(IResource target) => $"UPSTREAM_{target.Name.ToUpperInvariant().Replace('-', '_')}";

    /// <summary><c>nginx -t</c> on the rendered configuration: null when nginx accepts it, else what nginx said.</summary>
    private static Task<string?> CheckConfigurationAsync(NginxResource nginx, string prefix, CancellationToken cancellationToken) =>
        LocalServers.CheckAsync(nginx.Command, ["-t", "-q", "-p", prefix, "-c", Path.Combine(prefix, "conf", "nginx.conf"), "-e", "stderr"], cancellationToken);

    /// <summary>Each upstream's <c>server</c> lines, one per replica on its own port, by template variable.</summary>
    internal static Dictionary<string, string> UpstreamServers(NginxResource nginx, Func<(IResourceWithEndpoints Target, string EndpointName), IReadOnlyList<ReplicaPort>> replicaPorts)
    {
        var upstreams = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var upstream in nginx.Upstreams)
        {
            var servers = new StringBuilder();
            foreach (var replica in replicaPorts(upstream))
            {
                servers.Append(CultureInfo.InvariantCulture, $"server 127.0.0.1:{replica.Port} max_fails=1 fail_timeout=5s; ");
            }

            if (servers.Length == 0)
            {
                throw new DistributedApplicationException($"{nginx.Name}: no replica of {upstream.Target.Name} has a port yet");
            }

            upstreams[UpstreamVariable(upstream.Target)] = servers.ToString();
        }

        return upstreams;
    }

    private static string Describe(Dictionary<string, string> upstreamServers) =>
        string.Join('\n', upstreamServers.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key}={u.Value}"));

    /// <summary>Renders every template into the prefix's conf/ directory, with <paramref name="upstreamServers"/> (<see cref="UpstreamServers"/>).</summary>
    internal static async Task RenderAsync(NginxResource nginx, string prefix, LocalCertificateAuthority certificates, IReadOnlyDictionary<string, string> upstreamServers, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string>(nginx.TemplateVariables, StringComparer.Ordinal);
        foreach (var (variable, value) in LocalVariables(nginx, prefix, certificates))
        {
            variables[variable] = value;
        }

        foreach (var (variable, servers) in upstreamServers)
        {
            variables[variable] = servers;
        }

        foreach (var directory in new[] { "conf", "logs", "run", "cache" })
        {
            Directory.CreateDirectory(Path.Combine(prefix, directory));
        }

        foreach (var template in Directory.EnumerateFiles(nginx.TemplatesPath, "*.template"))
        {
            var rendered = Render(await File.ReadAllTextAsync(template, cancellationToken), variables, template);
            // nginx may be reading its configuration for the previous SIGHUP right now: a file half written would make
            // it refuse the reload and keep routing to the replicas it knew.
            await LocalServers.ReplaceFileAsync(Path.Combine(prefix, "conf", Path.GetFileNameWithoutExtension(template)), rendered, cancellationToken);
        }
    }

    /// <summary>Replaces every <c>${NAME}</c>; a name with no value is an error, not an empty string.</summary>
    internal static string Render(string template, IReadOnlyDictionary<string, string> variables, string templateName) =>
        TemplateVariable().Replace(template, match => variables.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new DistributedApplicationException($"{Path.GetFileName(templateName)} uses ${{{match.Groups[1].Value}}}, which has no value."));

    /// <summary>What the local run decides itself: loopback ports, private paths, the local certificate, a worker per core.</summary>
    private static Dictionary<string, string> LocalVariables(NginxResource nginx, string prefix, LocalCertificateAuthority certificates)
    {
        string Port(string endpoint) => nginx.GetEndpoint(endpoint).Port.ToString(CultureInfo.InvariantCulture);
        return new()
        {
            ["NGINX_WORKER_PROCESSES"] = Math.Max(1, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            ["NGINX_RUN_DIR"] = Path.Combine(prefix, "run"),
            ["NGINX_CACHE_DIR"] = Path.Combine(prefix, "cache"),
            ["NGINX_CONF_DIR"] = Path.Combine(prefix, "conf"),
            ["NGINX_MIME_TYPES"] = "/etc/nginx/mime.types",
            ["NGINX_MODULES_DIR"] = ModulesDirectory,
            // One JSON line per request on standard output: DCP keeps it with the resource's console log, as a container's would be.
            ["NGINX_ACCESS_LOG"] = "/dev/stdout",
            ["NGINX_STATUS_LISTEN"] = $"127.0.0.1:{Port(NginxResource.StatusEndpointName)}",
            ["PROXY_HTTP_PORT"] = $"127.0.0.1:{Port(NginxResource.HttpEndpointName)}",
            ["PROXY_HTTPS_PORT"] = $"127.0.0.1:{Port(NginxResource.HttpsEndpointName)}",
            ["PROXY_HTTPS_PUBLIC_PORT"] = Port(NginxResource.HttpsEndpointName),
            ["PROXY_PLAIN_HTTP"] = "redirect",
            ["PROXY_SERVER_NAMES"] = "localhost 127.0.0.1",
            ["PROXY_CERTIFICATE"] = certificates.ServerCertificatePath,
            ["PROXY_CERTIFICATE_KEY"] = certificates.ServerKeyPath,
        };
    }

    /// <summary>The template variables the container image needs: Debian's paths, the non-root user's directories, fixed ports.</summary>
    private static IEnumerable<KeyValuePair<string, string>> ContainerVariables()
    {
        yield return new("NGINX_WORKER_PROCESSES", "auto");
        yield return new("NGINX_MODULES_DIR", ModulesDirectory);
        yield return new("NGINX_MIME_TYPES", "/etc/nginx/mime.types");
        yield return new("NGINX_CONF_DIR", "/var/lib/proxy/conf");
        yield return new("NGINX_RUN_DIR", "/var/lib/proxy/run");
        yield return new("NGINX_CACHE_DIR", "/var/cache/proxy");
        yield return new("NGINX_ACCESS_LOG", "/dev/stdout");
        yield return new("NGINX_STATUS_LISTEN", "127.0.0.1:8081");
        yield return new("PROXY_HTTP_PORT", "8080");
        yield return new("PROXY_HTTPS_PORT", "8443");
        // Clients reach HTTPS on the standard port of the load balancer or ingress in front of the container.
        yield return new("PROXY_HTTPS_PUBLIC_PORT", "443");
        // Container Apps' ingress terminates TLS and forwards plain HTTP: serve it (Kubernetes with its own certificate: "redirect").
        yield return new("PROXY_PLAIN_HTTP", "serve");
        // Kubernetes TLS secrets mount as tls.crt and tls.key; without one the image creates a self-signed pair here.
        yield return new("PROXY_CERTIFICATE", "/etc/proxy/tls/tls.crt");
        yield return new("PROXY_CERTIFICATE_KEY", "/etc/proxy/tls/tls.key");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Proxy} serves https://localhost:{Port}; to trust its certificate on this machine: cp {CaCertificate} /usr/local/share/ca-certificates/readinessaspire.crt && update-ca-certificates")]
    private static partial void LogTrustHint(ILogger logger, string proxy, int port, string caCertificate);

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex TemplateVariable();
}
