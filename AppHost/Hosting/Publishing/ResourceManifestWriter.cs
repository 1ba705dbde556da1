using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>One manifest entry per resource, in the shape azd deploys: containers, projects, a Dockerfile, values and parameters.</summary>
internal static class ResourceManifestWriter
{
    public static Task WriteAsync(IResource resource, ManifestPublishingContext context) => resource switch
    {
        ParameterResource parameter => Write(() => ParameterManifest.Write(parameter, context)),
        PostgresServerResource postgres => ContainerManifests.WritePostgresAsync(postgres, context),
        PostgresDatabaseResource database => Write(() => WriteValue(database, context)),
        RedisResource redis => ContainerManifests.WriteRedisAsync(redis, context),
        ProjectResource project => ProjectManifest.WriteAsync(project, context),
        NginxResource nginx => DockerfileManifest.WriteAsync(nginx, context),
        // azd deploys no local process: an executable in the model has to become a container or a project first.
        _ => throw new DistributedApplicationException(
            $"Resource '{resource.Name}' ({resource.GetType().Name}) has no deployable manifest form; azd rejects executable.v0."),
    };

    /// <summary>A database inside a server: only its connection string, which azd evaluates.</summary>
    private static void WriteValue(IResourceWithConnectionString resource, ManifestPublishingContext context)
    {
        context.Writer.WriteString("type", "value.v0");
        context.WriteConnectionString(resource);
    }

    private static Task Write(Action write)
    {
        write();
        return Task.CompletedTask;
    }
}
