using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

/// <summary>The whole AppHost model, started once for the tests that share it, on random ports and a temporary data directory.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        // Throwaway data: PostgreSQL need not survive a power cut here (never in a real run).
        builder.Options.PostgresSettings.AddRange(["fsync=off", "synchronous_commit=off", "full_page_writes=off"]);
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.WaitForHealthyAsync(["webapi", "static", "proxy"], timeout.Token);
    }

    public async Task DisposeAsync()
    {
        var dataDirectory = App.Options.DataDirectory!;
        await App.DisposeAsync();
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
