using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
    /// Calls <paramref name="onChange"/> whenever the set of ports that <paramref name="target"/>'s replicas serve
    /// <paramref name="endpointName"/> on changes (a replica started again may get another port). Run mode only.
    /// </summary>
    internal static void WatchReplicaPorts(IDistributedApplicationBuilder builder, IResourceWithEndpoints target, string endpointName, Func<ReplicaWatcher, CancellationToken, Task> onChange)
    {
        ExposeReplicaPort(builder, target, endpointName);
        AddWatcher(builder);
        ReplicaWatcher.Watches(builder).Add(new(target, endpointName, onChange));
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
