using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

public interface IDistributedApplicationBuilder
{
    ConfigurationManager Configuration { get; }

    IHostEnvironment Environment { get; }

    IServiceCollection Services { get; }

    DistributedApplicationExecutionContext ExecutionContext { get; }

    DistributedApplicationModel Resources { get; }

    /// <summary>The directory of the AppHost project: relative paths in the model start here.</summary>
    string AppHostDirectory { get; }

    IResourceBuilder<T> AddResource<T>(T resource)
        where T : IResource;

    IResourceBuilder<T> CreateResourceBuilder<T>(T resource)
        where T : IResource;

    DistributedApplication Build();
}

public sealed class DistributedApplicationModel : List<IResource>
{
    public IResource this[string name] =>
        this.FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"No resource named '{name}'.");
}
