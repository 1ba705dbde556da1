namespace AppHost.Tests;

/// <summary>The whole AppHost model, started once for the tests that share it, on random ports and a temporary data directory.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The per-user scan limit of the shared stack: low enough for its test to reach.</summary>
    public const int ScansPerUserPerMinute = 12;

    public DistributedApplication App { get; private set; } = null!;

    public string DataDirectory { get; private set; } = null!;

    public async Task InitializeAsync() => (App, DataDirectory) = await StartAsync(
        // Every test signs its users up and in from 127.0.0.1: the per-address sign-in limit (10 a minute) would
        // refuse the suite itself. The limiter has its own test, against a WebApi of its own (SignInRateLimitTests).
        builder => builder.CreateResourceBuilder<ProjectResource>("webapi")
            .WithEnvironment("Accounts__SignInsPerMinute", "10000")
            // Scans of the tests' own loopback sites, on whatever port they got; the drill needs a short lease.
            .WithEnvironment("Scanner__AllowedPorts", "*")
            .WithEnvironment("Scans__Lease", "00:00:06")
            .WithEnvironment("Scans__PollInterval", "00:00:00.500")
            .WithEnvironment("Scans__PerUserPerMinute", ScansPerUserPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ["evidence", "webapi", "static", "proxy"]);

    // A start that failed has stopped its own stack already (StartAsync).
    public Task DisposeAsync() => App is null ? Task.CompletedTask : StopAsync(App, DataDirectory);

    /// <summary>A fresh data directory for one AppHost run, removed by <see cref="StopAsync"/>.</summary>
    internal static string NewDataDirectory()
    {
        // Under /tmp, not the test's temp folder: PostgreSQL's user must traverse every parent. The space proves
        // every server's configuration quotes its paths, as a checkout or data directory may have one.
        var directory = Path.Combine("/tmp", "readinessaspire tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(Path.GetDirectoryName(directory)!, (UnixFileMode)0b111_101_101);
        return directory;
    }

    /// <summary>
    /// Builds the AppHost's model through Aspire's testing builder with throwaway data, lets
    /// <paramref name="configure"/> adjust it, starts it and waits until <paramref name="healthy"/> are healthy.
    /// </summary>
    internal static async Task<(DistributedApplication App, string DataDirectory)> StartAsync(Action<IDistributedApplicationTestingBuilder> configure, string[] healthy, params string[] args)
    {
        var dataDirectory = NewDataDirectory();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                $"--AppHost:DataDirectory={dataDirectory}",
                // Throwaway data: PostgreSQL need not survive a power cut here (never in a real run).
                "--postgres:Settings=fsync=off synchronous_commit=off full_page_writes=off",
                .. args,
            ],
            (options, _) => options.DisableDashboard = true);
        configure(builder);
        var app = await builder.BuildAsync();
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            await app.StartAsync(timeout.Token);
            foreach (var name in healthy)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            }

            return (app, dataDirectory);
        }
        catch
        {
            await StopAsync(app, dataDirectory);
            throw;
        }
    }

    internal static async Task StopAsync(DistributedApplication app, string dataDirectory)
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class StackTestGroup : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}

/// <summary>Aspire's resource table as the tests read it: every resource's latest event, and the processes behind a replica.</summary>
internal static class ResourceStates
{
    /// <summary>
    /// Follows every resource's latest event until <paramref name="done"/> holds, and returns them; fails naming each
    /// resource's last state if <paramref name="cancellationToken"/> ends the wait first.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, ResourceEvent>> WaitUntilAsync(this DistributedApplication app, Func<IReadOnlyDictionary<string, ResourceEvent>, bool> done, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, ResourceEvent>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                latest[change.ResourceId] = change;
                if (done(latest))
                {
                    return latest;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        throw new Xunit.Sdk.XunitException("Gave up waiting; the last states were: " + string.Join("; ", latest.Values
            .OrderBy(e => e.ResourceId, StringComparer.Ordinal)
            .Select(e => $"{e.ResourceId} {e.Snapshot.State?.Text} {e.Snapshot.HealthStatus} exit {e.Snapshot.ExitCode}")));
    }

    /// <summary>
    /// The replicas of <paramref name="resourceName"/> once there are <paramref name="count"/>, each running and answering
    /// <c>/health/ready</c> on its own port. Aspire's health status cannot tell: its check is the resource's, through
    /// DCP's proxy, so one replica that answers makes every replica "Healthy".
    /// </summary>
    public static async Task<List<ResourceEvent>> WaitForServingReplicasAsync(this DistributedApplication app, string resourceName, int count, CancellationToken cancellationToken)
    {
        var states = await app.WaitUntilAsync(
            s => s.Replicas(resourceName) is { } replicas && replicas.Count == count
                && replicas.All(r => r.IsRunningAndHealthy() && r.EnvironmentPort("REPLICA_HTTP_PORT") is not null),
            cancellationToken);
        var replicas = states.Replicas(resourceName);
        foreach (var replica in replicas)
        {
            await replica.WaitUntilServingAsync(cancellationToken);
        }

        return replicas;
    }

    /// <summary>Waits until the replica answers <c>/health/ready</c> with 200 on its own port; fails naming it if the token ends the wait.</summary>
    public static async Task WaitUntilServingAsync(this ResourceEvent replica, CancellationToken cancellationToken)
    {
        var uri = new Uri($"http://127.0.0.1:{replica.EnvironmentPort("REPLICA_HTTP_PORT")}/health/ready");
        using var client = new HttpClient();
        try
        {
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync(uri, cancellationToken);
                    if (response.StatusCode == System.Net.HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(200, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"{replica.ResourceId} never answered {uri} with 200");
        }
    }

    /// <summary>The latest event of each replica of <paramref name="resourceName"/>, ordered by resource id.</summary>
    public static List<ResourceEvent> Replicas(this IReadOnlyDictionary<string, ResourceEvent> states, string resourceName) =>
        [.. states.Values.Where(e => e.Resource.Name == resourceName && !e.Snapshot.IsHidden).OrderBy(e => e.ResourceId, StringComparer.Ordinal)];

    /// <summary>Running, and healthy by every health check it has.</summary>
    public static bool IsRunningAndHealthy(this ResourceEvent resource) =>
        resource.Snapshot.State?.Text == KnownResourceStates.Running
        && resource.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy;

    /// <summary>The pid DCP reports, while it runs: for a project, the service's own process (its built executable).</summary>
    public static int? ProcessId(this ResourceEvent resource) =>
        resource.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), out var pid) ? pid : null;

    /// <summary>A port the resource was given in its environment, e.g. <c>REPLICA_HTTP_PORT</c>.</summary>
    public static int? EnvironmentPort(this ResourceEvent resource, string variable) =>
        resource.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == variable)?.Value is { } value
        && int.TryParse(value, out var port) ? port : null;

    /// <summary>The app itself: the AppHost starts a project's built executable, so it is the process DCP reports.</summary>
    public static int AppProcessId(this ResourceEvent project) =>
        project.ProcessId() ?? throw new Xunit.Sdk.XunitException($"{project.ResourceId} reports no process id");
}
