using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

/// <summary>A .NET project of the solution; the <c>Projects.*</c> classes are generated from the AppHost's project references.</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }

    /// <summary>The built assembly, run with <c>dotnet</c> (the AppHost's build builds it first).</summary>
    string TargetPath { get; }
}

public sealed class ProjectResource(string name, IProjectMetadata metadata) : Resource(name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithServiceDiscovery, IResourceWithWaitSupport
{
    public IProjectMetadata Metadata { get; } = metadata;
}

public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// The internal endpoint where ServiceDefaults serves /metrics and /health/details: every project has one,
    /// and the proxy never routes to it.
    /// </summary>
    public const string ManagementEndpointName = "management";

    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var project = new ProjectResource(name, new TProject());
        return builder.AddResource(project)
            .WithHttpEndpoint(targetPort: 8080)
            .WithEndpoint(targetPort: 8081, scheme: "http", name: ManagementEndpointName);
    }
}
