using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace AppHost.Tests;

/// <summary>
/// The AppHost as a program, run as <c>dotnet run --project AppHost</c> runs it: what a signal leaves behind, and the
/// data and generated passwords kept across runs. Each test has its own data directory and user-secrets store.
/// </summary>
public sealed class AppHostProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(4);
    private static readonly Dictionary<string, string> s_bypassProxyCache = new() { ["Cookie"] = "drill=1" };
    private readonly string _dataDirectory = StackFixture.NewDataDirectory();
    private readonly string _userSecretsId = $"readinessaspire-tests-{Guid.NewGuid():N}";
    private readonly List<AppHostProcess> _runs = [];

    [Fact]
    public async Task SIGTERM_under_load_stops_every_process_of_the_run_within_10_seconds_with_exit_code_0_and_the_data_survives()
    {
        var run = Start();
        var proxy = await run.WaitUntilReadyAsync(s_startTimeout);
        var processes = run.ProcessTree();
        Report("running", processes);
        Assert.Contains(processes, p => p.Pid == run.Postmaster().Pid); // The walk reaches the resources' own processes.
        var password = run.StoredSecret("Parameters:postgres-password");
        Assert.NotNull(password);
        await ExecuteAsync(run, password, "CREATE TABLE drill_marker (note text); INSERT INTO drill_marker VALUES ('kept')");
        var checklists = await ChecklistsAsync(run, proxy);

        Dictionary<LinuxProcess, TimeSpan> exits;
        DateTime signalled;
        await using (var load = new LoadLoop(() => run.CreateProxyClient(proxy), "/api/checklists", headers: s_bypassProxyCache))
        {
            await WaitUntilAsync(() => load.Answers.Any(a => a.Status == 200), TimeSpan.FromMinutes(1));
            var clock = Stopwatch.StartNew();
            signalled = DateTime.Now;
            run.Signal(15);
            // Measured on past the limit (a minute at most), so that a slow stop shows how slow it is.
            exits = await WatchExitsAsync(processes, clock, TimeSpan.FromSeconds(70));
            Assert.Contains(load.Answers, a => a.Status == 200);
        }

        Assert.True(run.HasExited, $"the AppHost still runs 70 s after SIGTERM:\n{run.Output}");
        var exitedAfter = run.ExitTime - signalled;
        var left = processes.Where(p => !exits.TryGetValue(p, out var gone) || gone > TimeSpan.FromSeconds(10)).ToList();
        output.WriteLine($"SIGTERM: the AppHost exited with code {run.ExitCode} after {exitedAfter.TotalSeconds:F1} s; {Describe(run.Self, processes, exits)}");
        Assert.True(exits.Count == processes.Count, $"still running 70 s after SIGTERM:\n  {string.Join("\n  ", processes.Where(p => !exits.ContainsKey(p)))}");

        // The next run finds what the stop under load left: the same password, the row, the same answers.
        await AssertNextRunKeptTheDataAsync(password, checklists);

        Assert.True(exitedAfter < TimeSpan.FromSeconds(10), $"the AppHost exited {exitedAfter.TotalSeconds:F1} s after SIGTERM:\n{run.Output}");
        Assert.True(left.Count == 0, $"still running 10 s after SIGTERM:\n  {string.Join("\n  ", left)}\n{run.Output}");
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task After_SIGKILL_DCP_removes_every_child_within_15_seconds_and_the_next_start_finds_the_data_and_password()
    {
        // First run: everything up, then a marker row written straight into the database.
        var first = Start();
        var firstProxy = await first.WaitUntilReadyAsync(s_startTimeout);
        var processes = first.ProcessTree();
        Report("running", processes);
        Assert.Contains(processes, p => p.Pid == first.Postmaster().Pid);
        var password = first.StoredSecret("Parameters:postgres-password");
        Assert.NotNull(password);
        Assert.True(password.Length >= 22, $"only {password.Length} characters");
        await ExecuteAsync(first, password, "CREATE TABLE drill_marker (note text); INSERT INTO drill_marker VALUES ('kept')");
        var checklists = await ChecklistsAsync(first, firstProxy);

        // SIGKILL gives the AppHost no chance to stop anything: DCP's monitor notices and stops every child.
        var clock = Stopwatch.StartNew();
        first.Signal(9);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        var exits = await WatchExitsAsync(processes, clock, TimeSpan.FromSeconds(75));
        output.WriteLine($"SIGKILL: {Describe(first.Self, processes, exits)}");
        // The children: every process DCP ran for a resource, with theirs. DCP's own processes go after them.
        var children = processes.Where(p => p != first.Self && !p.IsMonitor).ToList();
        var left = children.Where(p => !exits.TryGetValue(p, out var gone) || gone > TimeSpan.FromSeconds(15)).ToList();
        Assert.True(left.Count == 0, $"still running 15 s after SIGKILL:\n  {string.Join("\n  ", left)}");
        Assert.True(exits.Count == processes.Count, $"DCP still runs 75 s after SIGKILL:\n  {string.Join("\n  ", processes.Where(p => !exits.ContainsKey(p)))}");

        // Second run on the same data and user secrets: the same password, and the row is there.
        await AssertNextRunKeptTheDataAsync(password, checklists);
    }

    [Fact]
    public async Task A_server_that_exits_with_an_error_leaves_its_last_log_lines_on_the_console()
    {
        // PostgreSQL refuses a setting it does not know: it exits with code 1 as soon as it reads it.
        var run = Start(new Dictionary<string, string> { ["postgres__Settings"] = "no_such_setting=on" });

        var failure = await run.WaitForFailureAsync(s_startTimeout);

        Assert.Equal("postgres: Finished, exit code 1", failure);
        Assert.Matches(@"postgres exited with code 1; its last [1-9][0-9]* log lines:", run.Output);
        Assert.True(run.Output.Contains("unrecognized configuration parameter \"no_such_setting\"", StringComparison.Ordinal), run.Output);
    }

    /// <summary>Starts the AppHost again on the same data and user secrets: the same password, the marker row, the same answers.</summary>
    private async Task AssertNextRunKeptTheDataAsync(string password, string checklists)
    {
        var next = Start();
        var proxy = await next.WaitUntilReadyAsync(s_startTimeout);
        Assert.Equal(password, next.StoredSecret("Parameters:postgres-password"));
        Assert.Equal("kept", await ScalarAsync(next, password, "SELECT note FROM drill_marker"));
        Assert.Equal(checklists, await ChecklistsAsync(next, proxy));
    }

    public void Dispose()
    {
        try
        {
            foreach (var run in _runs)
            {
                run.Dispose();
            }
        }
        finally
        {
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }

            var secrets = Path.GetDirectoryName(AppHostProcess.UserSecretsFile(_userSecretsId))!;
            if (Directory.Exists(secrets))
            {
                Directory.Delete(secrets, recursive: true);
            }
        }
    }

    private AppHostProcess Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = AppHostProcess.Start(_dataDirectory, _userSecretsId, environment);
        _runs.Add(run);
        return run;
    }

    private void Report(string what, IReadOnlyCollection<LinuxProcess> processes) =>
        output.WriteLine($"{what}: {processes.Count} processes\n  {string.Join("\n  ", processes.OrderBy(p => p.Pid).Select(p => p.ToString()[..Math.Min(160, p.ToString().Length)]))}");

    /// <summary>When each of <paramref name="processes"/> was gone, on <paramref name="clock"/>, watched until all are gone or <paramref name="until"/>.</summary>
    private static async Task<Dictionary<LinuxProcess, TimeSpan>> WatchExitsAsync(IReadOnlyCollection<LinuxProcess> processes, Stopwatch clock, TimeSpan until)
    {
        var gone = new Dictionary<LinuxProcess, TimeSpan>();
        while (gone.Count < processes.Count && clock.Elapsed < until)
        {
            foreach (var process in processes.Where(p => !gone.ContainsKey(p) && !p.IsAlive))
            {
                gone[process] = clock.Elapsed;
            }

            await Task.Delay(100);
        }

        return gone;
    }

    /// <summary>When the resources' processes and DCP's own were all gone, and the last few to go.</summary>
    private static string Describe(LinuxProcess appHost, IReadOnlyCollection<LinuxProcess> processes, Dictionary<LinuxProcess, TimeSpan> exits)
    {
        string Last(IEnumerable<LinuxProcess> group) =>
            group.All(exits.ContainsKey) ? $"{group.Select(p => exits[p]).DefaultIfEmpty().Max().TotalSeconds:F1} s" : "never (still running)";
        var slowest = processes.OrderByDescending(p => exits.TryGetValue(p, out var t) ? t : TimeSpan.MaxValue)
            .Select(p => $"{(exits.TryGetValue(p, out var t) ? $"{t.TotalSeconds:F1} s" : "still running")}: {p.ToString()[..Math.Min(120, p.ToString().Length)]}");
        return $"of its {processes.Count} processes, the resources' were all gone after {Last(processes.Where(p => p != appHost && !p.IsMonitor))}, DCP's own after {Last(processes.Where(p => p.IsMonitor))}, all after {Last(processes)}; last to go:\n  {string.Join("\n  ", slowest)}";
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static async Task<string> ChecklistsAsync(AppHostProcess run, Uri proxy)
    {
        using var client = run.CreateProxyClient(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists");
        request.Headers.Add("Cookie", "drill=1");
        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string ConnectionString(AppHostProcess run, string password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = run.Postmaster().Port,
            Username = "postgres",
            Password = password,
            Database = "readiness",
            Pooling = false,
        }.ConnectionString;

    private static async Task ExecuteAsync(AppHostProcess run, string password, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(run, password));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(AppHostProcess run, string password, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(run, password));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
