using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

public sealed class PostgresServerResource(string name, ParameterResource password) : Resource(name), IResourceWithConnectionString, IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    public const string UserName = "postgres";

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public Dictionary<string, string> Databases { get; } = new(StringComparer.Ordinal);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}

public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent) : Resource(name), IResourceWithParent, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Parent { get; } = parent;

    IResource IResourceWithParent.Parent => Parent;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class PostgresBuilderExtensions
{
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource>? password = null, int? port = null)
    {
        var passwordParameter = password?.Resource ?? builder.AddParameter($"{name}-password", secret: true).Resource;
        return builder.AddResource(new PostgresServerResource(name, passwordParameter))
            .WithEndpoint(port, targetPort: 5432, scheme: "tcp", name: "tcp")
            .WithAnnotation(new ResourceReferenceAnnotation(passwordParameter))
            .WithAnnotation(new ContainerImageAnnotation("library/postgres", "17.6", "docker.io"));
    }

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.Databases[name] = database.DatabaseName;
        return builder.ApplicationBuilder.AddResource(database);
    }

    /// <summary>Keeps the cluster's files in a named directory under the AppHost's data directory, so data survives restarts.</summary>
    public static IResourceBuilder<PostgresServerResource> WithDataVolume(this IResourceBuilder<PostgresServerResource> builder, string? name = null) =>
        builder.WithAnnotation(new DataVolumeAnnotation(name ?? $"{builder.Resource.Name}-data", "/var/lib/postgresql/data"));
}
