using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

public static class MonitoringEndpoints
{
    public const string MetricsEndpointName = "metrics";
}

/// <summary>Prometheus exporters from Debian's packages for the servers that cannot serve metrics themselves.</summary>
public static class ExporterBuilderExtensions
{
    /// <summary>Reads nginx's loopback-only stub_status.</summary>
    public static IResourceBuilder<ExecutableResource> AddNginxExporter(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<NginxResource> nginx)
    {
        var exporter = AddExporter(builder, name, "prometheus-nginx-exporter");
        var status = nginx.GetEndpoint(NginxBuilderExtensions.StatusEndpointName);
        return exporter
            .WithArgs(ReferenceExpression.Create($"-nginx.scrape-uri={status}/stub_status"), ListenAddress(exporter, "-web.listen-address"))
            .WithAnnotation(new ResourceReferenceAnnotation(nginx.Resource))
            .WithAnnotation(new WaitAnnotation(nginx.Resource, WaitType.WaitUntilHealthy));
    }

    /// <summary>Authenticates with the cache's password from the environment, never from the command line.</summary>
    public static IResourceBuilder<ExecutableResource> AddRedisExporter(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<RedisResource> redis)
    {
        var exporter = AddExporter(builder, name, "prometheus-redis-exporter");
        var endpoint = redis.Resource.PrimaryEndpoint;
        return exporter
            .WithArgs(ReferenceExpression.Create($"-redis.addr=redis://{endpoint.Property(EndpointProperty.HostAndPort)}"), ListenAddress(exporter, "-web.listen-address"))
            .WithEnvironment("REDIS_PASSWORD", builder.CreateResourceBuilder(redis.Resource.PasswordParameter))
            .WithAnnotation(new WaitAnnotation(redis.Resource, WaitType.WaitUntilHealthy));
    }

    /// <summary>Connects as the server's superuser through DATA_SOURCE_NAME in the environment.</summary>
    public static IResourceBuilder<ExecutableResource> AddPostgresExporter(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<PostgresServerResource> postgres)
    {
        var exporter = AddExporter(builder, name, "prometheus-postgres-exporter");
        var endpoint = postgres.Resource.PrimaryEndpoint;
        return exporter
            .WithArgs(ListenAddress(exporter, "--web.listen-address"))
            .WithEnvironment("DATA_SOURCE_NAME", ReferenceExpression.Create(
                $"postgresql://{PostgresServerResource.UserName}:{postgres.Resource.PasswordParameter}@{endpoint.Property(EndpointProperty.HostAndPort)}/postgres?sslmode=disable"))
            .WithAnnotation(new ResourceReferenceAnnotation(postgres.Resource))
            .WithAnnotation(new WaitAnnotation(postgres.Resource, WaitType.WaitUntilHealthy));
    }

    private static IResourceBuilder<ExecutableResource> AddExporter(IDistributedApplicationBuilder builder, string name, string command) =>
        builder.AddResource(new ExecutableResource(name, command, builder.AppHostDirectory) { Package = command })
            .WithEndpoint(scheme: "http", name: MonitoringEndpoints.MetricsEndpointName)
            .WithHttpHealthCheck("/metrics", MonitoringEndpoints.MetricsEndpointName)
            .ExcludeFromManifest();

    private static ReferenceExpression ListenAddress(IResourceBuilder<ExecutableResource> exporter, string flag) =>
        ReferenceExpression.Create($"{flag}={exporter.GetEndpoint(MonitoringEndpoints.MetricsEndpointName).Property(EndpointProperty.HostAndPort)}");
}
