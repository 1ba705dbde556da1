using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Tests;

/// <summary>The AppHost's watch of replica ports, fed Aspire's resource notifications by hand: no process starts.</summary>
public sealed class ReplicaWatcherTests
{
    [Fact]
    public async Task A_consumer_that_failed_to_follow_a_change_is_called_again_on_the_next_event_even_with_the_same_ports()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true, Args = [] });
        var service = builder.AddExecutable("service", "true", ".").WithHttpEndpoint(name: "http");
        var proxy = builder.AddExecutable("proxy", "true", ".");
        var calls = Channel.CreateUnbounded<int>();
        var failNext = true;
        ReplicaBuilderExtensions.WatchReplicaPorts(builder, service.Resource, "http", proxy.Resource, (watcher, _) =>
        {
            // What the consumer (nginx's reload) would be given: the ports it is called for.
            calls.Writer.TryWrite(Assert.Single(watcher.CurrentPorts(service.Resource, "http")).Port);
            if (failNext)
            {
                failNext = false;
                throw new InvalidOperationException("nginx -t rejected the new upstreams");
            }

            return Task.FromResult(true);
        });
        await using var app = builder.Build();
        // What the AppHost's start does for it (BeforeStartEvent), without DCP.
        app.Services.GetRequiredService<ReplicaWatcher>().Start();
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task ReportAsync(string state, int port) => notifications.PublishUpdateAsync(service.Resource, "service-a1", snapshot => snapshot with
        {
            State = state,
            EnvironmentVariables = [new EnvironmentVariableSnapshot(ReplicaPort.VariableName("http"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), true)],
        });

        await ReportAsync(KnownResourceStates.Starting, 5001);
        Assert.Equal(5001, await calls.Reader.ReadAsync(timeout.Token));

        // The same ports in the next event: the change the consumer failed to follow is offered again.
        await ReportAsync(KnownResourceStates.Running, 5001);
        Assert.Equal(5001, await calls.Reader.ReadAsync(timeout.Token));

        // Followed now: an event with the same ports calls nobody, and the next call is for the next change.
        await ReportAsync(KnownResourceStates.Starting, 5001);
        await ReportAsync(KnownResourceStates.Running, 5002);
        Assert.Equal(5002, await calls.Reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task A_consumer_that_could_not_follow_yet_is_called_again_on_its_own_next_event()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true, Args = [] });
        var service = builder.AddExecutable("service", "true", ".").WithHttpEndpoint(name: "http");
        var proxy = builder.AddExecutable("proxy", "true", ".");
        var calls = Channel.CreateUnbounded<(bool Running, int Port)>();
        ReplicaBuilderExtensions.WatchReplicaPorts(builder, service.Resource, "http", proxy.Resource, (watcher, _) =>
        {
            // As nginx answers between its start's render and its process: not running, so nothing followed yet.
            var running = watcher.ProcessId(proxy.Resource) is not null;
            calls.Writer.TryWrite((running, Assert.Single(watcher.CurrentPorts(service.Resource, "http")).Port));
            return Task.FromResult(running);
        });
        await using var app = builder.Build();
        app.Services.GetRequiredService<ReplicaWatcher>().Start();
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await notifications.PublishUpdateAsync(service.Resource, "service-a1", snapshot => snapshot with
        {
            State = KnownResourceStates.Running,
            EnvironmentVariables = [new EnvironmentVariableSnapshot(ReplicaPort.VariableName("http"), "5001", true)],
        });
        Assert.Equal((false, 5001), await calls.Reader.ReadAsync(timeout.Token));

        // The proxy's process runs: its own event, with the service's ports unchanged, brings the change back.
        await notifications.PublishUpdateAsync(proxy.Resource, snapshot => snapshot with
        {
            State = KnownResourceStates.Running,
            Properties = [.. snapshot.Properties, new ResourcePropertySnapshot("executable.pid", 4242)],
        });
        Assert.Equal((true, 5001), await calls.Reader.ReadAsync(timeout.Token));

        // Followed: the proxy's next event calls nobody; the next call is for the next change.
        await notifications.PublishUpdateAsync(proxy.Resource, snapshot => snapshot with { State = KnownResourceStates.Running });
        await notifications.PublishUpdateAsync(service.Resource, "service-a1", snapshot => snapshot with
        {
            State = KnownResourceStates.Running,
            EnvironmentVariables = [new EnvironmentVariableSnapshot(ReplicaPort.VariableName("http"), "5002", true)],
        });
        Assert.Equal((true, 5002), await calls.Reader.ReadAsync(timeout.Token));
    }
}
