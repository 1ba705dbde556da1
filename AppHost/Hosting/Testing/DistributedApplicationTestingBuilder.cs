using System.Reflection;
using Microsoft.Extensions.Configuration;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Testing;

/// <summary>
/// Starts the real AppHost model for a test: random ports, its own data directory, no console noise.
/// Shaped like Aspire.Hosting.Testing's builder.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    public static async Task<IDistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(string[]? args = null, Action<DistributedApplicationOptions>? configure = null, CancellationToken cancellationToken = default)
        where TEntryPoint : IProjectMetadata, new()
    {
        var assembly = Assembly.Load(AssemblyName.GetAssemblyName(new TEntryPoint().TargetPath));
        var entryPoint = assembly.EntryPoint ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point.");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "readinessaspire-tests", Guid.NewGuid().ToString("N")[..12]);
        var builder = await TestingInterception.CaptureAsync(
            entryPoint,
            args ?? [],
            b =>
            {
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["AppHost:DataDirectory"] = dataDirectory,
                    ["AppHost:ResourceApiPort"] = "0",
                    ["AppHost:RandomizePorts"] = "true",
                    ["AppHost:ConsoleOutput"] = "false",
                });
            },
            cancellationToken);
        configure?.Invoke(builder.Options);
        return new TestingBuilder(builder);
    }

    private sealed class TestingBuilder(DistributedApplicationBuilder builder) : IDistributedApplicationTestingBuilder
    {
        public DistributedApplicationOptions Options => builder.Options;

        public DistributedApplicationModel Resources => builder.Resources;

        public IDistributedApplicationBuilder Builder => builder;

        public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default) => Task.FromResult(builder.Build());
    }
}

public interface IDistributedApplicationTestingBuilder
{
    /// <summary>Change before building: data directory, service environment, PostgreSQL settings.</summary>
    DistributedApplicationOptions Options { get; }

    DistributedApplicationModel Resources { get; }

    IDistributedApplicationBuilder Builder { get; }

    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);
}

public static class DistributedApplicationTestingExtensions
{
    /// <summary>An HttpClient for a resource's endpoint; <paramref name="replica"/> picks one replica.</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication app, string resourceName, string endpointName = "http", int replica = 0) =>
        new() { BaseAddress = app.GetEndpoint(resourceName, endpointName, replica) };

    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, string endpointName = "http", int replica = 0)
    {
        var resource = (IResourceWithEndpoints)app.Resources[resourceName];
        return new Uri(new EndpointReference(resource, endpointName, replica).Allocated.Url);
    }

    public static async Task<string?> GetConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default) =>
        app.Resources[resourceName] is IResourceWithConnectionString resource
            ? await resource.ConnectionStringExpression.GetValueAsync(cancellationToken)
            : throw new ArgumentException($"'{resourceName}' has no connection string.", nameof(resourceName));
}
