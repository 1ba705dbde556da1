namespace ReadinessAspire.Hosting.ApplicationModel;

public enum EndpointProperty
{
    Url,
    Host,
    Port,
    Scheme,
    HostAndPort,
}

/// <summary>
/// One endpoint of a resource, resolved at run time once its port is allocated. Replicas each get their own port;
/// a reference without an index means the first replica.
/// </summary>
public sealed class EndpointReference(IResourceWithEndpoints resource, string endpointName, int replicaIndex = 0) : IValueProvider, IManifestExpressionProvider
{
    public IResourceWithEndpoints Resource { get; } = resource;

    public string EndpointName { get; } = endpointName;

    public int ReplicaIndex { get; } = replicaIndex;

    public EndpointAnnotation Annotation =>
        Resource.OfAnnotation<EndpointAnnotation>().SingleOrDefault(e => e.Name == EndpointName)
        ?? throw new InvalidOperationException($"Resource '{Resource.Name}' has no endpoint named '{EndpointName}'.");

    public string ValueExpression => $"{{{Resource.Name}.bindings.{EndpointName}.url}}";

    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => Property(EndpointProperty.Url).GetValueAsync(cancellationToken);

    internal AllocatedEndpoint Allocated =>
        Resource.OfAnnotation<AllocatedEndpointsAnnotation>().SingleOrDefault()?.Find(EndpointName, ReplicaIndex)
        ?? throw new InvalidOperationException($"Endpoint '{EndpointName}' of '{Resource.Name}' has no port yet: it is allocated when the application starts.");
}

public sealed class EndpointReferenceExpression(EndpointReference endpoint, EndpointProperty property) : IValueProvider, IManifestExpressionProvider
{
    public EndpointReference Endpoint { get; } = endpoint;

    public EndpointProperty Property { get; } = property;

    public string ValueExpression => Property switch
    {
        EndpointProperty.HostAndPort => $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.host}}:{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.port}}",
        _ => $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.{Property.ToString().ToLowerInvariant()}}}",
    };

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var allocated = Endpoint.Allocated;
        return ValueTask.FromResult<string?>(Property switch
        {
            EndpointProperty.Url => allocated.Url,
            EndpointProperty.Host => allocated.Host,
            EndpointProperty.Port => allocated.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            EndpointProperty.Scheme => allocated.Scheme,
            EndpointProperty.HostAndPort => $"{allocated.Host}:{allocated.Port}",
            _ => throw new System.Diagnostics.UnreachableException(),
        });
    }
}

public sealed record AllocatedEndpoint(string Name, string Scheme, string Host, int Port, int ReplicaIndex)
{
    public string Url => $"{Scheme}://{Host}:{Port}";
}

/// <summary>Ports chosen for every replica when the application starts.</summary>
internal sealed class AllocatedEndpointsAnnotation(IReadOnlyList<AllocatedEndpoint> endpoints) : IResourceAnnotation
{
    public IReadOnlyList<AllocatedEndpoint> Endpoints { get; } = endpoints;

    public AllocatedEndpoint? Find(string name, int replicaIndex) => Endpoints.FirstOrDefault(e => e.Name == name && e.ReplicaIndex == replicaIndex);
}
