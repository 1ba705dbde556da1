using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Prometheus exporters from Debian's packages for nginx, Redis and PostgreSQL. Local run only.</summary>
public static class ExporterBuilderExtensions
{
    /// <summary>Reads nginx's loopback-only stub_status.</summary>
    public static IResourceBuilder<PrometheusExporterResource> AddNginxExporter(this IDistributedApplicationBuilder builder, [ResourceName] string name, IResourceBuilder<NginxResource> nginx)
    {
        ArgumentNullException.ThrowIfNull(nginx);
        // Started with nginx, not once it is healthy: the exporter tries its stub_status every 50 ms until nginx
        // answers (30 s at most, then it exits and the dashboard shows it), so it is up as soon as nginx is, rather
        // than a health check and a process start later (bench/README.md, the end of the start).
        return AddExporter(builder, name, "prometheus-nginx-exporter", "-web.listen-address")
            .WithArgs(context => context.Args.Add(ReferenceExpression.Create($"-nginx.scrape-uri={nginx.Resource.StatusEndpoint}/stub_status")))
            .WithArgs("-nginx.retries=600", "-nginx.retry-interval=50ms")
            .WithReferenceRelationship(nginx.Resource)
            .WaitForStart(nginx);
    }

    /// <summary>Authenticates with the cache's password from the environment, never from the command line.</summary>
    public static IResourceBuilder<PrometheusExporterResource> AddRedisExporter(this IDistributedApplicationBuilder builder, [ResourceName] string name, IResourceBuilder<IResourceWithConnectionString> redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var exporter = AddExporter(builder, name, "prometheus-redis-exporter", "-web.listen-address");
        if (redis.Resource is RedisProcessResource local)
        {
            exporter
                .WithArgs(context => context.Args.Add(ReferenceExpression.Create($"-redis.addr=redis://127.0.0.1:{local.PrimaryEndpoint.Property(EndpointProperty.Port)}")))
                .WithEnvironment("REDIS_PASSWORD", builder.CreateResourceBuilder(local.PasswordParameter));
        }

        return exporter.WithReferenceRelationship(redis.Resource).WaitFor(redis);
    }

    /// <summary>Connects as the server's superuser through DATA_SOURCE_NAME in the environment.</summary>
    public static IResourceBuilder<PrometheusExporterResource> AddPostgresExporter(this IDistributedApplicationBuilder builder, [ResourceName] string name, IResourceBuilder<IResourceWithConnectionString> postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var exporter = AddExporter(builder, name, "prometheus-postgres-exporter", "--web.listen-address");
        if (postgres.Resource is PostgresProcessResource local)
        {
            exporter.WithEnvironment("DATA_SOURCE_NAME", ReferenceExpression.Create(
                $"postgresql://{PostgresProcessResource.UserName}:{local.PasswordParameter}@127.0.0.1:{local.PrimaryEndpoint.Property(EndpointProperty.Port)}/postgres?sslmode=disable"));
        }

        return exporter.WithReferenceRelationship(postgres.Resource).WaitFor(postgres);
    }

    private static IResourceBuilder<PrometheusExporterResource> AddExporter(IDistributedApplicationBuilder builder, string name, string command, string listenFlag)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var exporter = new PrometheusExporterResource(name, $"/usr/bin/{command}", builder.AppHostDirectory);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(exporter, (_, _) =>
        {
            LocalServers.RequireFile(exporter.Command, command);
            return Task.CompletedTask;
        });
        return builder.AddResource(exporter)
            .WithLocalEndpoint(PrometheusExporterResource.MetricsEndpointName, "http")
            .WithArgs(context => context.Args.Add(ReferenceExpression.Create(
                $"{listenFlag}=127.0.0.1:{exporter.GetEndpoint(PrometheusExporterResource.MetricsEndpointName).Property(EndpointProperty.Port)}")))
            .WithHttpHealthCheck("/metrics", endpointName: PrometheusExporterResource.MetricsEndpointName)
            .WithIconName("DataArea")
            .ExcludeFromManifest();
    }
}
