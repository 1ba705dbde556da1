using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

public interface IResourceBuilder<out T>
    where T : IResource
{
    IDistributedApplicationBuilder ApplicationBuilder { get; }

    T Resource { get; }

    IResourceBuilder<T> WithAnnotation<TAnnotation>(TAnnotation annotation)
        where TAnnotation : IResourceAnnotation;
}

internal sealed class ResourceBuilder<T>(IDistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T>
    where T : IResource
{
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;

    public IResourceBuilder<T> WithAnnotation<TAnnotation>(TAnnotation annotation)
        where TAnnotation : IResourceAnnotation
    {
        Resource.Annotations.Add(annotation);
        return this;
    }
}
