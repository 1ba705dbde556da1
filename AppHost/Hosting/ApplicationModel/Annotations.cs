namespace ReadinessAspire.Hosting.ApplicationModel;

/// <summary>A network endpoint that a resource listens on.</summary>
public sealed class EndpointAnnotation(string name, string scheme, string transport, int? port, int? targetPort, bool isExternal) : IResourceAnnotation
{
    public string Name { get; } = name;

    public string Scheme { get; } = scheme;

    public string Transport { get; } = transport;

    /// <summary>The port wanted on this machine; null means any free port.</summary>
    public int? Port { get; set; } = port;

    /// <summary>The port the process listens on inside a container (manifest only).</summary>
    public int? TargetPort { get; set; } = targetPort;

    public bool IsExternal { get; set; } = isExternal;
}

public sealed class EnvironmentCallbackAnnotation(Func<EnvironmentCallbackContext, Task> callback) : IResourceAnnotation
{
    public Func<EnvironmentCallbackContext, Task> Callback { get; } = callback;
}

public sealed class CommandLineArgsAnnotation(IReadOnlyList<object> args) : IResourceAnnotation
{
    /// <summary>Strings or <see cref="IValueProvider"/>s.</summary>
    public IReadOnlyList<object> Args { get; } = args;
}

public enum WaitType
{
    WaitUntilHealthy,
    WaitForCompletion,
}

public sealed record WaitAnnotation(IResource Resource, WaitType WaitType, int ExitCode = 0) : IResourceAnnotation;

public sealed record ReplicaAnnotation(int Replicas) : IResourceAnnotation;

/// <summary>An HTTP path that answers 2xx when the resource is ready.</summary>
public sealed record HttpHealthCheckAnnotation(string Path, string EndpointName) : IResourceAnnotation;

/// <summary>A resource this one refers to (for the dependency graph and the manifest).</summary>
public sealed record ResourceReferenceAnnotation(IResource Resource) : IResourceAnnotation;

/// <summary>Keep this resource's data in a named directory that outlives runs.</summary>
public sealed record DataVolumeAnnotation(string Name, string Target, bool IsReadOnly = false) : IResourceAnnotation;

/// <summary>The container image the manifest names for this resource when it is deployed.</summary>
public sealed record ContainerImageAnnotation(string Image, string Tag, string? Registry = null) : IResourceAnnotation;

/// <summary>Context handed to environment callbacks: in run mode values resolve, in publish mode they become expressions.</summary>
public sealed class EnvironmentCallbackContext(DistributedApplicationExecutionContext executionContext, ResourceInstanceInfo? instance)
{
    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    /// <summary>The replica being launched (run mode only).</summary>
    public ResourceInstanceInfo? Instance { get; } = instance;

    /// <summary>Values are strings, <see cref="IValueProvider"/>s or <see cref="IManifestExpressionProvider"/>s.</summary>
    public Dictionary<string, object> EnvironmentVariables { get; } = new(StringComparer.Ordinal);
}

/// <summary>What a launcher knows about one replica of a resource.</summary>
public sealed record ResourceInstanceInfo(string Name, int Index, IReadOnlyDictionary<string, int> Ports);

public static class AnnotationExtensions
{
    public static IEnumerable<T> OfAnnotation<T>(this IResource resource) => resource.Annotations.OfType<T>();

    public static T? Annotation<T>(this IResource resource)
        where T : class, IResourceAnnotation => resource.Annotations.OfType<T>().LastOrDefault();

    public static int Replicas(this IResource resource) => resource.Annotation<ReplicaAnnotation>()?.Replicas ?? 1;
}

/// <summary>A resource that exists only for the local run (a monitoring tool) and is left out of the manifest.</summary>
public sealed record ExcludeFromManifestAnnotation : IResourceAnnotation;
