using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

/// <summary>The whole AppHost model, started once for the tests that share it, on random ports and a temporary data directory.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await StartAsync(_ => { }, ["webapi", "static", "proxy"]);

    public Task DisposeAsync() => StopAsync(App);

    /// <summary>Starts the AppHost's model with throwaway data, after <paramref name="configure"/> adjusted it, and waits for <paramref name="healthy"/>.</summary>
    internal static async Task<DistributedApplication> StartAsync(Action<IDistributedApplicationTestingBuilder> configure, string[] healthy)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        // Throwaway data: PostgreSQL need not survive a power cut here (never in a real run).
        builder.Options.PostgresSettings.AddRange(["fsync=off", "synchronous_commit=off", "full_page_writes=off"]);
        configure(builder);
        var app = await builder.BuildAsync();
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            await app.StartAsync(timeout.Token);
            await app.WaitForHealthyAsync(healthy, timeout.Token);
            return app;
        }
        catch
        {
            await StopAsync(app);
            throw;
        }
    }

    internal static async Task StopAsync(DistributedApplication app)
    {
        var dataDirectory = app.Options.DataDirectory!;
        await app.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class StackTestGroup : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}

public static class StackWaits
{
    /// <summary>Waits until every named resource is healthy; a resource that failed ends the wait with its reason.</summary>
    public static async Task WaitForHealthyAsync(this DistributedApplication app, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            var snapshot = await app.ResourceNotifications.WaitForResourceAsync(
                name,
                s => s.State is ResourceState.Healthy or ResourceState.FailedToStart || app.ResourceNotifications.Snapshot().Any(r => r.State == ResourceState.FailedToStart),
                cancellationToken);
            var failed = app.ResourceNotifications.Snapshot().Where(r => r.State == ResourceState.FailedToStart).ToList();
            Assert.True(failed.Count == 0, $"Failed to start: {string.Join("; ", failed.Select(f => $"{f.Name}: {f.Message}"))}");
            Assert.Equal(ResourceState.Healthy, snapshot.State);
        }
    }
}
