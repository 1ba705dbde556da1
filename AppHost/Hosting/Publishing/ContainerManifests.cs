using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>
/// The servers that run locally from Debian's packages are deployed as the official images (<c>container.v0</c>),
/// configured the way Aspire configures them.
/// </summary>
internal static class ContainerManifests
{
    public static async Task WritePostgresAsync(PostgresServerResource postgres, ManifestPublishingContext context)
    {
        WriteHeader(postgres, context);
        context.WriteVolumes(postgres);

        var environment = new List<KeyValuePair<string, string>>
        {
            new("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256"),
            new("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256"),
            new("POSTGRES_USER", PostgresServerResource.UserName),
            new("POSTGRES_PASSWORD", postgres.PasswordParameter.ValueExpression),
        };
        // With a single database the image creates it on first start; the migrator would create it otherwise.
        if (postgres.Databases.Count == 1)
        {
            environment.Add(new("POSTGRES_DB", postgres.Databases.Values.Single()));
        }

        await context.WriteEnvironmentAsync(postgres, environment);
        context.WriteBindings(postgres.OfAnnotation<EndpointAnnotation>());
    }

    /// <summary>
    /// The password goes in through the environment and a shell expands it, as Aspire does (dotnet/aspire#3838),
    /// so the manifest's args hold no secret expression.
    /// </summary>
    public static async Task WriteRedisAsync(RedisResource redis, ManifestPublishingContext context)
    {
        WriteHeader(redis, context);
        var command = "redis-server --requirepass $REDIS_PASSWORD";
        if (redis.Annotation<DataVolumeAnnotation>() is not null)
        {
            // The same persistence the local run uses when the cache has a volume.
            command += " --save 60 1 --appendonly yes";
        }

        context.Writer.WriteString("entrypoint", "/bin/sh");
        context.Writer.WriteStartArray("args");
        context.Writer.WriteStringValue("-c");
        context.Writer.WriteStringValue(command);
        context.Writer.WriteEndArray();
        context.WriteVolumes(redis);
        await context.WriteEnvironmentAsync(redis, [new("REDIS_PASSWORD", redis.PasswordParameter.ValueExpression)]);
        context.WriteBindings(redis.OfAnnotation<EndpointAnnotation>());
    }

    private static void WriteHeader<T>(T resource, ManifestPublishingContext context)
        where T : IResourceWithConnectionString
    {
        var image = resource.Annotation<ContainerImageAnnotation>()
            ?? throw new DistributedApplicationException($"Resource '{resource.Name}' has no container image to deploy.");
        context.Writer.WriteString("type", "container.v0");
        context.WriteConnectionString(resource);
        context.Writer.WriteString("image", ImageName(image));
    }

    internal static string ImageName(ContainerImageAnnotation image) =>
        image.Registry is { Length: > 0 } registry ? $"{registry}/{image.Image}:{image.Tag}" : $"{image.Image}:{image.Tag}";
}
