using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Tests;

/// <summary>The model as Aspire runs it: every resource's state, the replicas and their ports, and the services behind them.</summary>
[Collection(StackTestGroup.Name)]
public sealed class StackTests(StackFixture stack)
{
    private static readonly string[] s_servers = ["postgres", "readiness", "cache", "evidence", "migrator", "webapi", "static", "proxy", "proxy-exporter", "cache-exporter", "postgres-exporter", "prometheus"];

    [Fact]
    public async Task Every_resource_runs_healthy_and_the_migrator_finished_with_exit_code_0()
    {
        var model = stack.App.Services.GetRequiredService<DistributedApplicationModel>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Each resource as many times as it has replicas; hidden ones (DCP's project rebuilders) are not part of the run.
        var states = await stack.App.WaitUntilAsync(
            s => model.Resources.All(resource =>
            {
                var instances = s.Values.Where(e => e.Resource == resource).ToList();
                return (instances.Count > 0 && instances.All(e => e.Snapshot.IsHidden))
                    || (instances.Count == Replicas(resource) && instances.All(e => resource.Name == "migrator" ? HasFinished(e) : e.IsRunningAndHealthy()));
            }),
            timeout.Token);

        var visible = states.Values.Where(e => !e.Snapshot.IsHidden).ToList();
        Assert.Superset(s_servers.ToHashSet(), visible.Select(e => e.Resource.Name).ToHashSet());
        var migrator = Assert.Single(visible, e => e.Resource.Name == "migrator");
        Assert.Equal(KnownResourceStates.Finished, migrator.Snapshot.State?.Text);
        Assert.Equal(0, migrator.Snapshot.ExitCode);
        Assert.All(visible.Where(e => e != migrator), e =>
        {
            Assert.Equal(KnownResourceStates.Running, e.Snapshot.State?.Text);
            Assert.True(e.IsRunningAndHealthy(), $"{e.ResourceId} is {e.Snapshot.HealthStatus}");
        });
    }

    [Fact]
    public async Task Webapi_runs_two_replicas_each_with_its_own_http_and_management_port()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var replicas = await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token);

        Assert.Equal(2, replicas.Select(r => r.ResourceId).Distinct().Count());
        Assert.Equal(2, replicas.Select(r => r.ProcessId()).Distinct().Count());
        var ports = replicas.Select(r => (Http: r.EnvironmentPort("REPLICA_HTTP_PORT"), Management: r.EnvironmentPort("REPLICA_MANAGEMENT_PORT"))).ToList();
        Assert.All(ports, p => Assert.True(p.Http is not null && p.Management is not null, "a replica was not told its ports"));
        Assert.Equal(4, ports.SelectMany(p => new[] { p.Http, p.Management }).Distinct().Count());

        // The ports the AppHost gives nginx and Prometheus are the same, replica by replica.
        var watcher = stack.App.Services.GetRequiredService<ReplicaWatcher>();
        var webapi = replicas[0].Resource;
        Assert.Equal(replicas.Select(r => (r.ResourceId, r.EnvironmentPort("REPLICA_HTTP_PORT"))), watcher.CurrentPorts(webapi, "http").Select(p => (p.ReplicaName, (int?)p.Port)));
        Assert.Equal(replicas.Select(r => (r.ResourceId, r.EnvironmentPort("REPLICA_MANAGEMENT_PORT"))), watcher.CurrentPorts(webapi, "management").Select(p => (p.ReplicaName, (int?)p.Port)));

        // Each replica listens on both: the public port serves the API and no metrics, the management port serves them.
        using var client = new HttpClient();
        foreach (var (http, management) in ports)
        {
            using var live = await client.GetAsync(new Uri($"http://127.0.0.1:{http}/health/live"), timeout.Token);
            using var publicMetrics = await client.GetAsync(new Uri($"http://127.0.0.1:{http}/metrics"), timeout.Token);
            using var metrics = await client.GetAsync(new Uri($"http://127.0.0.1:{management}/metrics"), timeout.Token);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        }
    }

    [Fact]
    public async Task Every_service_process_is_its_built_executable_in_its_project_folder_not_a_dotnet_run_launcher()
    {
        var model = stack.App.Services.GetRequiredService<DistributedApplicationModel>();
        var services = model.Resources.OfType<ProjectResource>().Where(p => p.Name != "migrator").ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Every instance of each, as the notifications come in one by one.
        var states = await stack.App.WaitUntilAsync(
            s => services.All(p => s.Replicas(p.Name) is { } instances && instances.Count == Replicas(p) && instances.All(e => e.IsRunningAndHealthy())),
            timeout.Token);

        var instances = services.SelectMany(p => states.Replicas(p.Name).Select(e => (Project: p, Instance: e))).ToList();
        Assert.Equal(services.Count + 1, instances.Count); // webapi has two replicas
        Assert.All(instances, i =>
        {
            var projectFolder = Path.GetDirectoryName(i.Project.GetProjectMetadata().ProjectPath)!;
            var pid = i.Instance.AppProcessId();
            var executable = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0')[0];
            // The native executable the build put under the project's bin/, the very file the process runs.
            Assert.Equal(Path.GetFileNameWithoutExtension(i.Project.GetProjectMetadata().ProjectPath), Path.GetFileName(executable));
            Assert.StartsWith(Path.Combine(projectFolder, "bin") + Path.DirectorySeparatorChar, executable, StringComparison.Ordinal);
            Assert.Equal(executable, new FileInfo($"/proc/{pid}/exe").LinkTarget);
            // Where dotnet run would have started it: the project's folder.
            Assert.Equal(projectFolder, new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget);
        });
    }

    [Fact]
    public async Task The_dashboard_s_check_deploy_command_reports_the_audit_of_each_service_s_running_replica()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        foreach (var (service, replicas) in new[] { ("webapi", 2), ("static", 1) })
        {
            var replica = (await stack.App.WaitForServingReplicasAsync(service, replicas, timeout.Token))[0];

            var result = await stack.App.ResourceCommands.ExecuteCommandAsync(replica.ResourceId, DeployCheckBuilderExtensions.CommandName, timeout.Token);

            Assert.True(result.Success, $"{service}: {result.Message}");
            Assert.Equal($"{replica.ResourceId}: no error findings", result.Message);
        }
    }

    [Fact]
    public async Task Looking_up_a_resource_that_does_not_exist_fails_naming_it()
    {
        var notifications = stack.App.Services.GetRequiredService<ResourceNotificationService>();
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();

        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => stack.App.GetEndpoint("nope", "http")).Message, StringComparison.Ordinal);
        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => stack.App.GetEndpoint("webapi", "nope")).Message, StringComparison.Ordinal);
        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => stack.App.CreateHttpClient("nope")).Message, StringComparison.Ordinal);
        Assert.Contains("'nope'", (await Assert.ThrowsAsync<ArgumentException>(() => stack.App.GetConnectionStringAsync("nope").AsTask())).Message, StringComparison.Ordinal);
        Assert.False(notifications.TryGetCurrentState("nope", out _));
        var start = await commands.ExecuteCommandAsync("nope", KnownResourceCommands.StartCommand);
        Assert.False(start.Success);
        Assert.Contains("'nope'", start.Message, StringComparison.Ordinal);

        // The same lookups of a resource that exists succeed: what failed above was the name.
        Assert.True(notifications.TryGetCurrentState("proxy", out var proxy));
        Assert.Equal("proxy", proxy.Resource.Name);
        Assert.NotNull(stack.App.GetEndpoint("webapi", "http"));
    }

    [Fact]
    public async Task Every_replica_answers_the_same_seeded_checklist()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var replicas = await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token);
        var bodies = new List<string>();
        foreach (var replica in replicas)
        {
            // The replica's own port, not DCP's proxy, which would pick either.
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{replica.EnvironmentPort("REPLICA_HTTP_PORT")}") };
            var list = await client.GetStringAsync(new Uri("/api/checklists", UriKind.Relative), timeout.Token);
            var id = JsonDocument.Parse(list).RootElement[0].GetProperty("id").GetString();
            var detail = await client.GetStringAsync(new Uri($"/api/checklists/{id}", UriKind.Relative), timeout.Token);
            bodies.Add(list + detail);

            var sections = JsonDocument.Parse(detail).RootElement.GetProperty("sections");
            Assert.Equal(5, sections.GetArrayLength());
            Assert.All(sections.EnumerateArray(), s => Assert.NotEqual(0, s.GetProperty("items").GetArrayLength()));
        }

        Assert.Equal(2, bodies.Count);
        Assert.Equal(bodies[0], bodies[1]);
    }

    [Fact]
    public async Task Unknown_checklist_answers_404_problem_details()
    {
        using var client = stack.App.CreateHttpClient("webapi");
        using var response = await client.GetAsync(new Uri("/api/checklists/no-such-checklist", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Static_host_serves_the_first_page()
    {
        using var client = stack.App.CreateHttpClient("static");
        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_replica_killed_with_SIGKILL_is_restarted_and_healthy_again()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var before = (await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token))[1];
        var app = before.AppProcessId();

        using (var process = System.Diagnostics.Process.GetProcessById(app))
        {
            process.Kill();
        }

        // Aspire sees the replica exit with a failure code, then the AppHost starts it again: a new process, running.
        ResourceEvent? crashed = null;
        var after = (await stack.App.WaitUntilAsync(
            s =>
            {
                if (!s.TryGetValue(before.ResourceId, out var replica))
                {
                    return false;
                }

                if (replica.Snapshot.State?.Text != KnownResourceStates.Running && replica.Snapshot.ExitCode is not (null or 0))
                {
                    crashed ??= replica;
                }

                return crashed is not null && replica.ProcessId() is int pid && pid != before.ProcessId() && replica.IsRunningAndHealthy();
            },
            timeout.Token))[before.ResourceId];

        Assert.NotNull(crashed);

        // Healthy is the resource's state (its check goes through DCP's proxy): the replica itself must answer again.
        await after.WaitUntilServingAsync(timeout.Token);
        Assert.NotEqual(app, after.AppProcessId());
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{after.EnvironmentPort("REPLICA_HTTP_PORT")}") };
        using var response = await client.GetAsync(new Uri("/api/checklists", UriKind.Relative), timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static int Replicas(IResource resource) => resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    private static bool HasFinished(ResourceEvent resource) =>
        resource.Snapshot.State?.Text == KnownResourceStates.Finished && resource.Snapshot.ExitCode == 0;
}
