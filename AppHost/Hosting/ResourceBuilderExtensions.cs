using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

/// <summary>The builder methods every resource shares, with Aspire's names and shapes.</summary>
public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : IResourceWithEnvironment
    {
        builder.WithAnnotation(new ResourceReferenceAnnotation(parameter.Resource));
        return builder.WithEnvironment(context => context.EnvironmentVariables[name] = parameter.Resource);
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ReferenceExpression value)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentCallbackContext> callback)
        where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentCallbackAnnotation(context =>
        {
            callback(context);
            return Task.CompletedTask;
        }));

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args)
        where T : IResourceWithArgs =>
        builder.WithAnnotation(new CommandLineArgsAnnotation(args));

    /// <summary>Arguments that may hold run-time values (an allocated port, a reference expression).</summary>
    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params object[] args)
        where T : IResourceWithArgs =>
        builder.WithAnnotation(new CommandLineArgsAnnotation(args));

    /// <summary>Injects <c>ConnectionStrings__{name}</c>, as Aspire does.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source, string? connectionName = null)
        where T : IResourceWithEnvironment
    {
        var resource = source.Resource;
        builder.WithAnnotation(new ResourceReferenceAnnotation(resource));
        return builder.WithEnvironment(context => context.EnvironmentVariables[$"ConnectionStrings__{connectionName ?? resource.Name}"] = resource);
    }

    /// <summary>
    /// Injects <c>services__{name}__{endpoint}__{i}</c> for every replica of a project, as Aspire's service discovery
    /// reads them. The manifest carries one entry per endpoint, since the cloud balances replicas itself.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where T : IResourceWithEnvironment
    {
        var resource = source.Resource;
        builder.WithAnnotation(new ResourceReferenceAnnotation(resource));
        return builder.WithEnvironment(context =>
        {
            var replicas = context.ExecutionContext.IsRunMode ? resource.Replicas() : 1;
            foreach (var endpoint in resource.OfAnnotation<EndpointAnnotation>().Where(e => e.Scheme is "http" or "https"))
            {
                for (var i = 0; i < replicas; i++)
                {
                    context.EnvironmentVariables[$"services__{resource.Name}__{endpoint.Name}__{i}"] = new EndpointReference(resource, endpoint.Name, i);
                }
            }
        });
    }

    /// <summary>Starts this resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport =>
        builder.WithAnnotation(new WaitAnnotation(dependency.Resource, WaitType.WaitUntilHealthy));

    /// <summary>Starts this resource only once <paramref name="dependency"/> has run to completion with the exit code given.</summary>
    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency, int exitCode = 0)
        where T : IResourceWithWaitSupport =>
        builder.WithAnnotation(new WaitAnnotation(dependency.Resource, WaitType.WaitForCompletion, exitCode));

    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        return builder.WithAnnotation(new ReplicaAnnotation(replicas));
    }

    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string endpointName = "http")
        where T : IResourceWithEndpoints =>
        builder.WithAnnotation(new HttpHealthCheckAnnotation(path, endpointName));

    /// <summary>An endpoint, with Aspire's parameter order (port, targetPort, scheme, name, isExternal).</summary>
    public static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string scheme = "tcp", string? name = null, bool isExternal = false)
        where T : IResourceWithEndpoints
    {
        name ??= scheme;
        var existing = builder.Resource.OfAnnotation<EndpointAnnotation>().SingleOrDefault(e => e.Name == name);
        if (existing is not null)
        {
            existing.Port = port ?? existing.Port;
            existing.TargetPort = targetPort ?? existing.TargetPort;
            existing.IsExternal |= isExternal;
            return builder;
        }

        var transport = scheme is "http" or "https" ? "http" : "tcp";
        return builder.WithAnnotation(new EndpointAnnotation(name, scheme, transport, port, targetPort, isExternal));
    }

    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string name = "http")
        where T : IResourceWithEndpoints => builder.WithEndpoint(port, targetPort, "http", name);

    public static IResourceBuilder<T> WithHttpsEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string name = "https")
        where T : IResourceWithEndpoints => builder.WithEndpoint(port, targetPort, "https", name);

    /// <summary>Marks every HTTP endpoint of the resource as reachable from outside the application.</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.OfAnnotation<EndpointAnnotation>().Where(e => e.Transport == "http"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name)
        where T : IResourceWithEndpoints => new(builder.Resource, name);

    /// <summary>Leaves the resource out of the deployment manifest (it serves the local run only).</summary>
    public static IResourceBuilder<T> ExcludeFromManifest<T>(this IResourceBuilder<T> builder)
        where T : IResource => builder.WithAnnotation(new ExcludeFromManifestAnnotation());
}
