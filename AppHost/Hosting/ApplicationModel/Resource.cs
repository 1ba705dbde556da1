namespace ReadinessAspire.Hosting.ApplicationModel;

/// <summary>A named part of the distributed application: a server, a project, a parameter.</summary>
public interface IResource
{
    string Name { get; }

    ResourceAnnotationCollection Annotations { get; }
}

/// <summary>Marker for the metadata attached to a resource by the builder methods.</summary>
public interface IResourceAnnotation;

public sealed class ResourceAnnotationCollection : List<IResourceAnnotation>;

public abstract class Resource(string name) : IResource
{
    public string Name { get; } = ResourceNames.Validate(name);

    public ResourceAnnotationCollection Annotations { get; } = [];

    public override string ToString() => Name;
}

/// <summary>A resource that has a parent (a database inside a server).</summary>
public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

public interface IResourceWithEnvironment : IResource;

public interface IResourceWithArgs : IResource;

public interface IResourceWithWaitSupport : IResource;

public interface IResourceWithServiceDiscovery : IResourceWithEndpoints;

public interface IResourceWithEndpoints : IResource;

/// <summary>A resource that others reach through a connection string (`ConnectionStrings__name`).</summary>
public interface IResourceWithConnectionString : IResource, IManifestExpressionProvider, IValueProvider
{
    ReferenceExpression ConnectionStringExpression { get; }

    string IManifestExpressionProvider.ValueExpression => $"{{{Name}.connectionString}}";

    ValueTask<string?> IValueProvider.GetValueAsync(CancellationToken cancellationToken) =>
        ConnectionStringExpression.GetValueAsync(cancellationToken);
}

internal static class ResourceNames
{
    // Resource names become DNS labels, environment variable parts and file names: keep them to a safe alphabet.
    public static string Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 64 || !char.IsAsciiLetter(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')) || name.EndsWith('-'))
        {
            throw new ArgumentException($"Resource name '{name}' is invalid: use 1-64 ASCII letters, digits and '-', starting with a letter.", nameof(name));
        }

        return name;
    }
}
