using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace AppHost.Tests;

/// <summary>Fault drills on the shared stack: each breaks a dependency under load and asserts counts, not timings.</summary>
[Collection(StackTestGroup.Name)]
public sealed class RedisOutageDrill(StackFixture stack, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> s_bypassProxyCache = new() { ["Cookie"] = "drill=1" };

    [Fact]
    public async Task With_Redis_stopped_reads_keep_answering_readiness_says_degraded_but_stays_ready_a_crashed_replica_comes_back_and_all_recovers()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var states = await Drills.WatchWebApiAsync(app, timeout.Token);
        await using (var load = new LoadLoop(() => ProxyClient.Create(app), "/api/checklists", headers: s_bypassProxyCache))
        {
            await Drills.StopAsync(app, "cache", timeout.Token);
            var stopped = await states.WaitAsync("cache", e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
            var stoppedAt = states.Mark();
            output.WriteLine($"cache stopped by the stop command: {stopped.Snapshot.State?.Text}, exit code {stopped.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            try
            {
                // Readiness says Degraded on every replica (each caches its result for a moment, so poll), and at the
                // proxy, with a 200: a cache outage must not take the replicas out of an orchestrator's rotation.
                foreach (var replica in states.Instances("webapi"))
                {
                    using var direct = new HttpClient { BaseAddress = Drills.ReplicaAddress(replica) };
                    await Drills.WaitForReadinessAsync(direct, "Degraded", timeout.Token);
                }

                using (var client = ProxyClient.Create(app))
                {
                    await Drills.WaitForReadinessAsync(client, "Degraded", timeout.Token);
                }

                // A replica that crashes now starts again with an empty in-process cache: its reads must come from PostgreSQL.
                var before = states.Instances("webapi")[0];
                var appPid = before.AppProcessId();
                output.WriteLine($"killing {before.ResourceId}'s app process {appPid} with SIGKILL");
                Drills.Kill(appPid);
                var crashed = await states.WaitAsync(before.ResourceId, e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
                output.WriteLine($"{before.ResourceId} exited with code {crashed.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
                // ReplicaWatcher starts it again with Aspire's start command; it must run, not fail to start.
                var outcome = await states.WaitAsync(
                    before.ResourceId,
                    e => e.Snapshot.State?.Text == KnownResourceStates.FailedToStart || (e.Snapshot.State?.Text == KnownResourceStates.Running && Drills.Pid(e) is int pid && pid != Drills.Pid(before)),
                    timeout.Token);
                Assert.True(outcome.Snapshot.State?.Text == KnownResourceStates.Running, $"{before.ResourceId} did not run again while the cache was stopped: {outcome.Snapshot.State?.Text}");

                using (var replica = new HttpClient { BaseAddress = Drills.ReplicaAddress(outcome) })
                {
                    Assert.Equal(HttpStatusCode.OK, await Drills.FirstAnswerAsync(replica, "/api/checklists", timeout.Token));
                }

                // Nothing started the stopped cache again meanwhile: ReplicaWatcher restarts only crashed replicas.
                Assert.DoesNotContain(states.History("cache", since: stoppedAt), e => e.Snapshot.State?.Text == KnownResourceStates.Running);
            }
            finally
            {
                await Task.WhenAll(Drills.StartAgainAsync(app, "cache"), RestoreReplicasAsync(app, states));
            }

            // Every replica is ready again, each on its own port: Aspire's health status is the resource's, through DCP's
            // proxy, so one ready replica would make both look healthy.
            foreach (var replica in states.Instances("webapi"))
            {
                var running = await states.WaitAsync(replica.ResourceId, e => e.Snapshot.State?.Text == KnownResourceStates.Running, timeout.Token);
                using var direct = new HttpClient { BaseAddress = Drills.ReplicaAddress(running) };
                // A replica started again may not listen yet, or not be ready yet: first an answer of 200, then Healthy.
                await Drills.WaitForStatusAsync(direct, "/health/ready", HttpStatusCode.OK, timeout.Token);
                await Drills.WaitForReadinessAsync(direct, "Healthy", timeout.Token);
            }

            using (var client = ProxyClient.Create(app))
            {
                await Drills.WaitForReadinessAsync(client, "Healthy", timeout.Token);
            }

            Assert.True(load.Answers.Count > 50, $"only {load.Answers.Count} requests were made");
            Assert.All(load.Answers, a => Assert.Equal(200, a.Status));
        }
    }

    /// <summary>
    /// Only when the drill has already failed: a replica that did not come back is started once the cache runs again,
    /// so that the other tests sharing the stack find it whole. Best effort: it never hides the drill's own failure.
    /// </summary>
    private async Task RestoreReplicasAsync(DistributedApplication app, ResourceWatch states)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            // Through the states of the restart (see Drills.StartAgainAsync), which the default wait takes for a failure.
            await app.ResourceNotifications.WaitForResourceHealthyAsync("cache", WaitBehavior.WaitOnResourceUnavailable, timeout.Token);
            foreach (var replica in states.Instances("webapi").Where(r => r.Snapshot.State?.Text is "FailedToStart" or "Finished" or "Exited"))
            {
                output.WriteLine($"{replica.ResourceId} is {replica.Snapshot.State?.Text}: starting it so that the shared stack is whole again");
                await app.ResourceCommands.ExecuteCommandAsync(replica.ResourceId, KnownResourceCommands.StartCommand, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("the cache did not become healthy again within 2 minutes");
        }
    }
}

/// <summary>
/// A stack whose API reads PostgreSQL on every request, so a database outage is visible to clients and every request
/// has database spans; the API exports its telemetry over OTLP/HTTP to a receiver in the test.
/// </summary>
public sealed class UncachedStackFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    public string DataDirectory { get; private set; } = null!;

    internal OtlpTraceReceiver Telemetry { get; } = new();

    public async Task InitializeAsync() => (App, DataDirectory) = await StackFixture.StartAsync(
        builder => builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "webapi"))
            .WithEnvironment("Checklists__CacheReads", "false")
            // Every request's access line, not only the failed ones WebApi keeps by default: TraceTests follows a
            // successful request into the logs.
            .WithEnvironment("Logging__LogLevel__ServiceDefaults.AccessLog", "Information")
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Endpoint)
            .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200"),
        ["webapi", "proxy"]);

    public async Task DisposeAsync()
    {
        try
        {
            await StackFixture.StopAsync(App, DataDirectory);
        }
        finally
        {
            Telemetry.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class UncachedStackTestGroup : ICollectionFixture<UncachedStackFixture>
{
    public const string Name = "uncached stack";
}

[Collection(UncachedStackTestGroup.Name)]
public sealed class PostgresOutageDrill(UncachedStackFixture stack, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> s_bypassProxyCache = new() { ["Cookie"] = "drill=1" };

    [Fact]
    public async Task While_PostgreSQL_is_stopped_reads_answer_503_problem_details_never_500_and_then_recover()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var load = new LoadLoop(() => ProxyClient.Create(app), "/api/checklists", headers: s_bypassProxyCache);
        await WaitForAnswersAsync(load, a => a.Status == 200, timeout.Token);

        await using var states = ResourceWatch.Watch(app);
        await Drills.StopAsync(app, "postgres", timeout.Token);
        DateTime outageEnded;
        try
        {
            var stopped = await states.WaitAsync("postgres", e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
            output.WriteLine($"postgres stopped by the stop command: {stopped.Snapshot.State?.Text}, exit code {stopped.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            await WaitForAnswersAsync(load, a => a.Status == 503, timeout.Token);
        }
        finally
        {
            await Drills.StartAgainAsync(app, "postgres");
            outageEnded = DateTime.UtcNow;
        }

        await WaitForAnswersAsync(load, a => a.Status == 200 && a.At > outageEnded, timeout.Token);
        var answers = load.Answers;
        output.WriteLine(string.Join(", ", answers.GroupBy(a => (a.Status, a.MediaType)).Select(g => $"{g.Key.Status} {g.Key.MediaType}: {g.Count()}")));
        Assert.All(answers, a => Assert.True(a.Status is 200 or 503, $"answered {a.Status}"));
        Assert.All(answers.Where(a => a.Status == 503), a => Assert.Equal("application/problem+json", a.MediaType));
    }

    private static async Task WaitForAnswersAsync(LoadLoop load, Func<(DateTime At, int Status, string? MediaType), bool> match, CancellationToken cancellationToken)
    {
        while (!load.Answers.Any(match))
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}

/// <summary>What the drills do to a running stack: Aspire's own stop and start commands, and a crash by pid.</summary>
internal static class Drills
{
    /// <summary>Follows every resource's state and returns once each webapi replica is known.</summary>
    public static async Task<ResourceWatch> WatchWebApiAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var states = ResourceWatch.Watch(app);
        var webApi = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "webapi");
        await states.InstancesAsync(webApi, cancellationToken);
        return states;
    }

    public static async Task StopAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancellationToken);
        Assert.True(result.Success, $"stop {resource}: {result.Message}");
    }

    public static async Task StartAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(result.Success, $"start {resource}: {result.Message}");
    }

    /// <summary>
    /// Starts a stopped resource again and waits, up to two minutes, until its new process runs and its health checks
    /// have found it healthy since the start. Aspire's own wait will not do: after the start command returns, DCP may
    /// still report the deleted instance's exit, which the testing builder's default wait takes for a failed start.
    /// Its own time, not the drill's: called where a drill ends, even one that ran out of time, so that the stack
    /// shared with other tests is whole again and the drill's own failure is the one reported.
    /// </summary>
    public static async Task StartAgainAsync(DistributedApplication app, string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stoppedPid = app.ResourceNotifications.TryGetCurrentState(resource, out var stopped) ? Pid(stopped) : null;
        var startedAt = DateTime.UtcNow;
        await StartAsync(app, resource, timeout.Token);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(
                resource,
                e => e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e) is int pid && pid != stoppedPid
                    && e.Snapshot.HealthStatus == HealthStatus.Healthy && e.Snapshot.HealthReports.All(r => r.LastRunAt > startedAt),
                timeout.Token);
        }
        catch (OperationCanceledException) when (app.ResourceNotifications.TryGetCurrentState(resource, out var current))
        {
            throw new TimeoutException(
                $"{resource} was started again but did not become healthy in two minutes: it is {current.Snapshot.State?.Text ?? "in no state"}, " +
                $"health {current.Snapshot.HealthStatus?.ToString() ?? "unknown"}, pid {Pid(current)?.ToString(CultureInfo.InvariantCulture) ?? "none"} " +
                $"(before the start: {stoppedPid?.ToString(CultureInfo.InvariantCulture) ?? "none"})");
        }
    }

    /// <summary>The pid DCP reports for an instance: for a project, the service's own process.</summary>
    public static int? Pid(ResourceEvent instance) =>
        instance.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    /// <summary>SIGKILL, by pid: a crash the process cannot handle.</summary>
    public static void Kill(int pid) => LinuxProcess.Find(pid)?.Signal(9);

    /// <summary>A replica's own address, bypassing DCP's proxy: the port it reports in REPLICA_HTTP_PORT.</summary>
    public static Uri ReplicaAddress(ResourceEvent replica) =>
        new($"http://127.0.0.1:{replica.Snapshot.EnvironmentVariables.Single(e => e.Name == "REPLICA_HTTP_PORT").Value}");

    /// <summary>Polls until the proxy's <c>/health/ready</c> answers 200: a replica serves through nginx.</summary>
    public static async Task WaitForProxyReadyAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        using var client = ProxyClient.Create(app);
        await WaitForStatusAsync(client, "/health/ready", HttpStatusCode.OK, cancellationToken);
    }

    /// <summary>Polls until <paramref name="path"/> answers <paramref name="status"/>.</summary>
    public static async Task WaitForStatusAsync(HttpClient client, string path, HttpStatusCode status, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(path, cancellationToken);
                if (response.StatusCode == status)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening (yet).
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// Polls <c>/health/ready</c> until it answers <paramref name="status"/> (Healthy, Degraded) with a 200, which is what
    /// keeps a replica in rotation; fails at once on a 503, which would take it out.
    /// </summary>
    public static async Task WaitForReadinessAsync(HttpClient client, string status, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var response = await client.GetAsync("/health/ready", cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/health/ready answered {(int)response.StatusCode} {body} while waiting for {status}");
            if (body == status)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Polls until the replica answers at all (it is starting), then returns its status.</summary>
    public static async Task<HttpStatusCode> FirstAnswerAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(path, cancellationToken);
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}

/// <summary>Every resource instance's latest state and its history, followed from Aspire's notifications.</summary>
internal sealed class ResourceWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    private readonly List<ResourceEvent> _history = [];
    private Task _watching = Task.CompletedTask;

    private ResourceWatch()
    {
    }

    public static ResourceWatch Watch(DistributedApplication app)
    {
        var states = new ResourceWatch();
        states._watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in app.ResourceNotifications.WatchAsync(states._stop.Token))
                {
                    states._latest[change.ResourceId] = change;
                    lock (states._history)
                    {
                        states._history.Add(change);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return states;
    }

    public ResourceEvent? Latest(string resourceId) => _latest.TryGetValue(resourceId, out var e) ? e : null;

    /// <summary>The instances of <paramref name="resourceName"/> (its replicas), by id.</summary>
    public IReadOnlyList<ResourceEvent> Instances(string resourceName)
    {
        var instances = _latest.Values.Where(e => e.Resource.Name == resourceName).ToList();
        if (instances.Count > 1)
        {
            instances.RemoveAll(e => e.ResourceId == resourceName);
        }

        return [.. instances.OrderBy(e => e.ResourceId, StringComparer.Ordinal)];
    }

    /// <summary>Waits until every replica of <paramref name="resource"/> has reported its state.</summary>
    public async Task<IReadOnlyList<ResourceEvent>> InstancesAsync(IResource resource, CancellationToken cancellationToken)
    {
        var replicas = resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
        while (Instances(resource.Name) is var instances && instances.Count < replicas)
        {
            await Task.Delay(100, cancellationToken);
        }

        return Instances(resource.Name);
    }

    /// <summary>A point in the history, for <see cref="History"/>.</summary>
    public int Mark()
    {
        lock (_history)
        {
            return _history.Count;
        }
    }

    /// <summary>Every state an instance (by id, or a single-instance resource by name) went through since <paramref name="since"/>.</summary>
    public IReadOnlyList<ResourceEvent> History(string resourceIdOrName, int since = 0)
    {
        lock (_history)
        {
            return [.. _history.Skip(since).Where(e => e.ResourceId == resourceIdOrName || e.Resource.Name == resourceIdOrName)];
        }
    }

    /// <summary>Waits until the instance (by id, or a single-instance resource by name) is in a matching state.</summary>
    public async Task<ResourceEvent> WaitAsync(string resourceIdOrName, Func<ResourceEvent, bool> predicate, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_latest.Values.FirstOrDefault(e => (e.ResourceId == resourceIdOrName || e.Resource.Name == resourceIdOrName) && predicate(e)) is { } match)
            {
                return match;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }
}
