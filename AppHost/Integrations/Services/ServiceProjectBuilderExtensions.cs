using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>What every service project of ours gets from the AppHost, as ServiceDefaults expects it.</summary>
public static class ServiceProjectBuilderExtensions
{
    /// <summary>
    /// The public HTTP endpoint and the internal management endpoint (<c>Management__Port</c>: /metrics and
    /// /health/details, never routed by the proxy), the services' environment (<c>AppHost:ServiceEnvironment</c>,
    /// Production unless asked) and, locally, the folder for their rolling JSON log files. Deployed, the ports are the
    /// container's fixed 8080 and 8081; locally DCP gives each replica its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceEndpoints(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode)
        {
            // Aspire leaves an endpoint named by env out of HTTP_PORTS; both ports must be listened on.
            builder
                .WithHttpEndpoint(targetPort: 8080)
                .WithHttpEndpoint(targetPort: 8081, name: PrometheusBuilderExtensions.ManagementEndpointName)
                .DisableForwardedHeaders();
            return builder.WithEnvironment("Management__Port", builder.GetEndpoint(PrometheusBuilderExtensions.ManagementEndpointName).Property(EndpointProperty.TargetPort));
        }

        builder
            .WithHttpEndpoint()
            .WithHttpEndpoint(name: PrometheusBuilderExtensions.ManagementEndpointName, env: "Management__Port")
            // ServiceDefaults trusts forwarded headers only from ForwardedHeaders__KnownNetworks; Aspire's switch would clear that list.
            .DisableForwardedHeaders();
        var http = builder.GetEndpoint("http");
        var management = builder.GetEndpoint(PrometheusBuilderExtensions.ManagementEndpointName);
        // Aspire's own ASPNETCORE_URLS leaves out an endpoint named by env; Kestrel must listen on both, loopback only.
        return builder
            .WithEnvironment("ASPNETCORE_URLS", ReferenceExpression.Create(
                $"http://127.0.0.1:{http.Property(EndpointProperty.TargetPort)};http://127.0.0.1:{management.Property(EndpointProperty.TargetPort)}"))
            .WithServiceEnvironment();
    }

    /// <summary>
    /// The environment of a local run's service processes, one-shot jobs included, and how they start: from their
    /// build output (<see cref="ServiceLaunchBuilderExtensions.WithLaunchFromBuildOutput"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceEnvironment(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        var environment = app.Configuration["AppHost:ServiceEnvironment"] ?? "Production";
        return builder
            .WithLaunchFromBuildOutput()
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithEnvironment("Logging__File__Path", Path.Combine(LocalServers.DataDirectory(app), "logs", builder.Resource.Name))
            // The dashboard stops first: a final OTLP export must not hold a stopping service for the default 10 s.
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            // A local run has no mail server: confirmation and reset links go to the service's log in the dashboard.
            .WithEnvironment("Accounts__EmailTransport", "log")
            // And a new user of a local run finds a demo team to look at. Never set in publish mode.
            .WithEnvironment("Seed__DemoData", "true");
    }

    /// <summary>
    /// Starts the service beside <paramref name="migrator"/> instead of after it exits: each of its processes holds its
    /// own start until the database has the migrator's work (WebApi's <c>SchemaGate</c>), so the migrator's start and
    /// DCP's half second after its exit are off the stack's critical path (bench/README.md, replicas beside the
    /// migrator). The dashboard shows the dependency as a relationship.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WaitForSchema(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> migrator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(migrator);
        return builder.WithRelationship(migrator.Resource, "WaitsForSchema");
    }
}
