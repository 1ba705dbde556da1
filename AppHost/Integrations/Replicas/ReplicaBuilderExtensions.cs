using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>
/// What DCP leaves to the AppHost for a project with replicas: starting a replica again after it crashed, and knowing
/// each replica's own port so that nginx and Prometheus reach replicas directly rather than through DCP's proxy.
/// </summary>
public static class ReplicaBuilderExtensions
{
    /// <summary>
    /// Starts a replica again, through Aspire's own start command, when it exits with a non-zero code that no stop
    /// command asked for; with backoff (1 s doubling to 30 s) while it keeps failing.
    /// </summary>
    public static IResourceBuilder<T> WithRestartOnFailure<T>(this IResourceBuilder<T> builder)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return builder; // The platform restarts containers itself.
        }

        AddWatcher(builder.ApplicationBuilder);
        return builder.WithAnnotation(new RestartOnFailureAnnotation(), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Aspire's HTTP health check of a project, asked of each of its processes (one or several replicas) on its own
    /// port rather than through DCP's proxy (<see cref="ReplicaHealthCheck"/>): healthy once one of them answers
    /// <paramref name="path"/> with success. Deployed, the platform probes each container itself; the publish model
    /// keeps Aspire's own check.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReplicaHealthCheck(this IResourceBuilder<ProjectResource> builder, string path, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode)
        {
            return builder.WithHttpHealthCheck(path, endpointName: endpointName);
        }

        var project = builder.Resource;
        ExposeReplicaPort(app, project, endpointName);
        AddWatcher(app);
        var key = $"{project.Name}_{endpointName}_{path}_replicas_check";
        app.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key,
            services => new ReplicaHealthCheck(() => services.GetRequiredService<ReplicaWatcher>().CurrentPorts(project, endpointName), path),
            HealthStatus.Unhealthy,
            tags: null));
        return builder.WithHealthCheck(key);
    }

    /// <summary>
    /// Calls <paramref name="onChange"/> whenever the set of ports that <paramref name="target"/>'s replicas serve
    /// <paramref name="endpointName"/> on changes (a replica started again may get another port), for
    /// <paramref name="consumer"/>, the resource that follows them. Until it answers that it followed (true), the next
    /// event of either resource calls it again, even with the same ports. Run mode only.
    /// </summary>
    internal static void WatchReplicaPorts(
        IDistributedApplicationBuilder builder, IResourceWithEndpoints target, string endpointName, IResource consumer, Func<ReplicaWatcher, CancellationToken, Task<bool>> onChange)
    {
        ExposeReplicaPort(builder, target, endpointName);
        AddWatcher(builder);
        ReplicaWatcher.Watches(builder).Add(new(target, endpointName, consumer, onChange));
    }

    /// <summary>Each replica tells its own port in an environment variable, which DCP reports resolved per replica.</summary>
    internal static void ExposeReplicaPort(IDistributedApplicationBuilder builder, IResourceWithEndpoints target, string endpointName)
    {
        var variable = ReplicaPort.VariableName(endpointName);
        if (target.Annotations.OfType<ReplicaPortAnnotation>().Any(a => a.EndpointName == endpointName))
        {
            return;
        }

        target.Annotations.Add(new ReplicaPortAnnotation(endpointName));
        var endpoint = target.GetEndpoint(endpointName);
        builder.CreateResourceBuilder(target)
            .WithAnnotation(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables[variable] = endpoint.Property(EndpointProperty.TargetPort)));
    }

    private static void AddWatcher(IDistributedApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(ReplicaWatcher.Watches(builder));
        ResourceEventFollower.AddTo<ReplicaWatcher>(builder);
    }

    private sealed record ReplicaPortAnnotation(string EndpointName) : IResourceAnnotation;
}

/// <summary>Marks a resource whose replicas are started again after a crash.</summary>
internal sealed class RestartOnFailureAnnotation : IResourceAnnotation;

/// <summary>One replica's own port for an endpoint.</summary>
internal sealed record ReplicaPort(string ReplicaName, int Port)
{
    public static string VariableName(string endpointName) => $"REPLICA_{endpointName.ToUpperInvariant()}_PORT";
}
