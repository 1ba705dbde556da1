using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Tests;

/// <summary>The AppHost's watch of replica ports, fed Aspire's resource notifications by hand: no process starts.</summary>
public sealed class ReplicaWatcherTests
{
    [Fact]
    public async Task A_consumer_that_failed_to_follow_a_change_is_called_again_on_the_next_event_even_with_the_same_ports()
    {
        var calls = Channel.CreateUnbounded<int>();
        var failNext = true;
        // No retry on a timer within the test: the next event is what offers the change again.
        await using var watched = WatchedApp.Start(TimeSpan.FromHours(1), (watcher, app) =>
        {
            // What the consumer (nginx's reload) would be given: the ports it is called for.
            calls.Writer.TryWrite(Assert.Single(watcher.CurrentPorts(app.Service, "http")).Port);
            if (failNext)
            {
                failNext = false;
                throw new InvalidOperationException("nginx -t rejected the new upstreams");
            }

            return Task.FromResult(true);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await watched.ReportPortAsync(KnownResourceStates.Starting, 5001);
        Assert.Equal(5001, await calls.Reader.ReadAsync(timeout.Token));

        // The same ports in the next event: the change the consumer failed to follow is offered again.
        await watched.ReportPortAsync(KnownResourceStates.Running, 5001);
        Assert.Equal(5001, await calls.Reader.ReadAsync(timeout.Token));

        // Followed now: an event with the same ports calls nobody, and the next call is for the next change.
        await watched.ReportPortAsync(KnownResourceStates.Starting, 5001);
        await watched.ReportPortAsync(KnownResourceStates.Running, 5002);
        Assert.Equal(5002, await calls.Reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task A_consumer_that_failed_to_follow_a_change_is_called_again_without_another_event()
    {
        var calls = Channel.CreateUnbounded<int>();
        var failures = 2;
        await using var watched = WatchedApp.Start(TimeSpan.FromMilliseconds(200), (watcher, app) =>
        {
            calls.Writer.TryWrite(watcher.CurrentPorts(app.Service, "http").Single().Port);
            return failures-- > 0 ? throw new InvalidOperationException("nginx -s reload failed") : Task.FromResult(true);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // One event, then silence, as from a replica that settled: the change is offered again until it is followed.
        await watched.ReportPortAsync(KnownResourceStates.Running, 5001);
        for (var call = 0; call < 3; call++)
        {
            Assert.Equal(5001, await calls.Reader.ReadAsync(timeout.Token));
        }

        // Followed: the retries stop.
        await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
        Assert.False(calls.Reader.TryRead(out var extra), $"called again for {extra} after following it");
    }

    [Fact]
    public async Task A_consumer_that_could_not_follow_yet_is_called_again_on_its_own_next_event()
    {
        var calls = Channel.CreateUnbounded<(bool Running, int Port)>();
        await using var watched = WatchedApp.Start(TimeSpan.FromHours(1), (watcher, app) =>
        {
            // As nginx answers between its start's render and its process: not running, so nothing followed yet.
            var running = watcher.ProcessId(app.Proxy) is not null;
            calls.Writer.TryWrite((running, Assert.Single(watcher.CurrentPorts(app.Service, "http")).Port));
            return Task.FromResult(running);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await watched.ReportPortAsync(KnownResourceStates.Running, 5001);
        Assert.Equal((false, 5001), await calls.Reader.ReadAsync(timeout.Token));

        // The proxy's process runs: its own event, with the service's ports unchanged, brings the change back.
        await watched.Notifications.PublishUpdateAsync(watched.Proxy, snapshot => snapshot with
        {
            State = KnownResourceStates.Running,
            Properties = [.. snapshot.Properties, new ResourcePropertySnapshot("executable.pid", 4242)],
        });
        Assert.Equal((true, 5001), await calls.Reader.ReadAsync(timeout.Token));

        // Followed: the proxy's next event calls nobody; the next call is for the next change.
        await watched.Notifications.PublishUpdateAsync(watched.Proxy, snapshot => snapshot with { State = KnownResourceStates.Running });
        await watched.ReportPortAsync(KnownResourceStates.Running, 5002);
        Assert.Equal((true, 5002), await calls.Reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task Disposing_the_AppHost_waits_until_a_retry_under_way_has_ended()
    {
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var retryEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = false;
        var watched = WatchedApp.Start(TimeSpan.FromMilliseconds(100), async (_, _, cancellationToken) =>
        {
            if (!failed)
            {
                failed = true;
                throw new InvalidOperationException("nginx -s reload failed");
            }

            retrying.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return true;
            }
            finally
            {
                // What a consumer does once stopped (waiting for its reload process to end) takes a moment.
                await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
                retryEnded.TrySetResult();
            }
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await watched.ReportPortAsync(KnownResourceStates.Running, 5001);
        await retrying.Task.WaitAsync(timeout.Token);

        await watched.DisposeAsync();

        Assert.True(retryEnded.Task.IsCompleted, "the AppHost was disposed while the retry it started was still calling its consumer");
    }

    [Fact]
    public async Task The_proxy_s_wait_for_replicas_does_not_give_up_on_a_replica_that_crashed()
    {
        await using var watched = WatchedApp.Start(TimeSpan.FromHours(1), (_, _) => Task.FromResult(true));
        var watcher = watched.App.Services.GetRequiredService<ReplicaWatcher>();

        // The replica crashed (ReplicaWatcher starts it again) when the proxy starts and waits for it: the wait goes
        // on until its own time is up, rather than failing the proxy's start at once. (Without DCP, nothing here can
        // make the replica ready, so the wait cannot end any other way.)
        await watched.Notifications.PublishUpdateAsync(watched.Service, "service-a1", snapshot => snapshot with { State = KnownResourceStates.Exited, ExitCode = 139 });
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watcher.WaitForReplicasAsync(watched.Service, "http", "/health/ready", patience.Token));
    }

    /// <summary>
    /// A service whose "http" ports a proxy follows, in an AppHost whose watcher is started as the AppHost's start does
    /// it (BeforeStartEvent), without DCP.
    /// </summary>
    private sealed record WatchedApp(DistributedApplication App, IResource Service, IResource Proxy, ResourceNotificationService Notifications) : IAsyncDisposable
    {
        public static WatchedApp Start(TimeSpan firstRetryDelay, Func<ReplicaWatcher, WatchedApp, Task<bool>> onChange) =>
            Start(firstRetryDelay, (watcher, app, _) => onChange(watcher, app));

        public static WatchedApp Start(TimeSpan firstRetryDelay, Func<ReplicaWatcher, WatchedApp, CancellationToken, Task<bool>> onChange)
        {
            var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true, Args = [] });
            var service = builder.AddExecutable("service", "true", ".").WithHttpEndpoint(name: "http").Resource;
            var proxy = builder.AddExecutable("proxy", "true", ".").Resource;
            WatchedApp? watched = null;
            ReplicaBuilderExtensions.WatchReplicaPorts(builder, service, "http", proxy, (watcher, cancellationToken) => onChange(watcher, watched!, cancellationToken));
            var app = builder.Build();
            watched = new(app, service, proxy, app.Services.GetRequiredService<ResourceNotificationService>());
            var watcher = app.Services.GetRequiredService<ReplicaWatcher>();
            watcher.FirstRetryDelay = firstRetryDelay;
            watcher.Start();
            return watched;
        }

        /// <summary>The service's one replica in <paramref name="state"/>, serving on <paramref name="port"/>, as DCP reports it.</summary>
        public Task ReportPortAsync(string state, int port) => Notifications.PublishUpdateAsync(Service, "service-a1", snapshot => snapshot with
        {
            State = state,
            EnvironmentVariables = [new EnvironmentVariableSnapshot(ReplicaPort.VariableName("http"), port.ToString(CultureInfo.InvariantCulture), true)],
        });

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
