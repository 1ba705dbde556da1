using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

public sealed class RedisResource(string name, ParameterResource password) : Resource(name), IResourceWithConnectionString, IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}

public static class RedisBuilderExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name, int? port = null, IResourceBuilder<ParameterResource>? password = null)
    {
        var passwordParameter = password?.Resource ?? builder.AddParameter($"{name}-password", secret: true).Resource;
        return builder.AddResource(new RedisResource(name, passwordParameter))
            .WithEndpoint(port, targetPort: 6379, scheme: "tcp", name: "tcp")
            .WithAnnotation(new ResourceReferenceAnnotation(passwordParameter))
            .WithAnnotation(new ContainerImageAnnotation("library/redis", "7.4", "docker.io"));
    }

    /// <summary>Keeps Redis's snapshot and append-only file in a named directory, so the cache survives restarts.</summary>
    public static IResourceBuilder<RedisResource> WithDataVolume(this IResourceBuilder<RedisResource> builder, string? name = null) =>
        builder.WithAnnotation(new DataVolumeAnnotation(name ?? $"{builder.Resource.Name}-data", "/data"));
}
