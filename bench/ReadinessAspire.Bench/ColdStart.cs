using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ReadinessAspire.Testing;

namespace ReadinessAspire.Bench;

/// <summary>One start of the built AppHost: how long until everything was up, how long it took to stop, peak memory.</summary>
internal sealed record StartupRun(string Case, int Round, double SecondsToUp, double SecondsToAppHostExit, double SecondsToAllStopped, StartupPeaks Peaks, IReadOnlyList<ResourceStep> Timeline);

/// <summary>A resource's state as the AppHost's console announced it (ConsoleStatus), seconds after the AppHost started.</summary>
internal sealed record ResourceStep(string Resource, string State, double Seconds);

/// <summary>
/// Peak memory while starting, in MiB, each the highest sum seen in any one sample: the AppHost process; DCP's own
/// processes (API server, controllers and one process monitor per resource process); the dashboard; and everything
/// (AppHost, DCP, dashboard and every server and service). PSS divides shared pages among the processes sharing them,
/// so its sums do not count the dcp binary's pages once per monitor.
/// </summary>
internal sealed record StartupPeaks(double AppHostRss, double DcpRss, double DcpPss, int DcpProcesses, double DashboardRss, double AllRss, double AllPss, int AllProcesses);

/// <summary>
/// Starts the AppHost as it was built (<c>AppHost/bin/&lt;configuration&gt;/&lt;tfm&gt;/AppHost</c>, so no build is timed)
/// the way <c>dotnet run</c> in AppHost/ runs it, dashboard included, on random ports and a throwaway data directory;
/// measures the time until its console announces that every resource is up (ConsoleStatus: "Ready: ..."), checks that
/// through the proxy, samples memory meanwhile, then stops it with SIGTERM as Ctrl+C would.
/// </summary>
internal static partial class ColdStart
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_sampleInterval = TimeSpan.FromMilliseconds(250);

    public const string FreshCase = "built AppHost, new data directory (initdb, migrations)";
    public const string RestartCase = "built AppHost, existing data directory";

    /// <summary>Per round: a start on an empty data directory, then a start on the one it left.</summary>
    public static async Task<IReadOnlyList<StartupRun>> MeasureAsync(int rounds, CancellationToken cancellationToken)
    {
        var executable = AppHostExecutable();
        var runs = new List<StartupRun>();
        for (var round = 1; round <= rounds; round++)
        {
            var dataDirectory = BenchStack.NewDataDirectory();
            string[] passwords = [BenchStack.NewPassword(), BenchStack.NewPassword()];
            try
            {
                foreach (var @case in new[] { FreshCase, RestartCase })
                {
                    var run = await RunOnceAsync(executable, @case, round, dataDirectory, passwords, cancellationToken);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round} [{@case}] up in {run.SecondsToUp:0.0} s, stopped in {run.SecondsToAllStopped:0.0} s, peak RSS apphost {run.Peaks.AppHostRss:0} MiB + dcp {run.Peaks.DcpRss:0} MiB ({run.Peaks.DcpProcesses} processes), all {run.Peaks.AllRss:0} MiB"));
                    runs.Add(run);
                }
            }
            finally
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }

        return runs;
    }

    private static async Task<StartupRun> RunOnceAsync(string executable, string @case, int round, string dataDirectory, string[] passwords, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            // The content root is the working directory: from AppHost/, as `cd AppHost && dotnet run` does, its
            // appsettings.json applies (log levels, DcpPublisher:WaitForResourceCleanup).
            WorkingDirectory = Projects.AppHost.ProjectPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            $"--AppHost:DataDirectory={dataDirectory}",
            // Random ports for DCP's proxies and our servers alike: no clash with an AppHost someone runs here.
            "--DcpPublisher:RandomizePorts=true",
            // Given, so nothing is generated into the AppHost's user-secrets store.
            $"--Parameters:postgres-password={passwords[0]}",
            $"--Parameters:cache-password={passwords[1]}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // What AppHost/Properties/launchSettings.json's http profile sets, on free ports.
        var ports = FreeLoopbackPorts.Take(3);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[0]}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{ports[1]}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{ports[2]}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";

        var output = new ConcurrentQueue<string>();
        var timeline = new ConcurrentQueue<ResourceStep>();
        var clock = new Stopwatch();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var httpsUrl = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not { } line)
            {
                return;
            }

            output.Enqueue(line);
            while (output.Count > 80 && output.TryDequeue(out _))
            {
            }

            if (StateLine().Match(line) is { Success: true } step)
            {
                timeline.Enqueue(new ResourceStep(step.Groups["resource"].Value, step.Groups["state"].Value, clock.Elapsed.TotalSeconds));
            }

            if (ReadyLine().Match(line) is { Success: true } ready)
            {
                up.TrySetResult();
                if (ready.Groups["url"].Value.StartsWith("https://", StringComparison.Ordinal))
                {
                    httpsUrl.TrySetResult(new Uri(ready.Groups["url"].Value));
                }
            }
        }

        clock.Start();
        using var appHost = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        appHost.OutputDataReceived += OnLine;
        appHost.ErrorDataReceived += OnLine;
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
        using var sampler = new StartupSampler(appHost.Id, s_sampleInterval);
        double secondsToUp;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BenchStack.StartTimeout);
            var exited = appHost.WaitForExitAsync(timeout.Token);
            if (await Task.WhenAny(up.Task, exited) != up.Task)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException(
                    $"The AppHost {(appHost.HasExited ? $"exited with code {appHost.ExitCode}" : $"was not up within {BenchStack.StartTimeout.TotalSeconds} s")} before announcing 'Ready:'. Its last lines:\n{string.Join('\n', output)}");
            }

            secondsToUp = clock.Elapsed.TotalSeconds;
            // The console's word checked: the proxy answers through the whole chain (nginx, webapi, PostgreSQL, Redis).
            var url = await httpsUrl.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            await CheckReadyAsync(url, Path.Combine(dataDirectory, "certs", "ca.crt"), cancellationToken);
        }
        catch
        {
            // Failed, timed out or cancelled (Ctrl+C): the AppHost and what DCP started for it stop all the same.
            await sampler.StopAsync();
            await StopAsync(appHost, sampler.SeenPids);
            throw;
        }

        await sampler.StopAsync();
        var (toExit, toAllStopped) = await StopAsync(appHost, sampler.SeenPids);
        return new StartupRun(@case, round, secondsToUp, toExit, toAllStopped, sampler.Peaks, [.. timeline.Where(s => s.Seconds <= secondsToUp)]);
    }

    /// <summary>
    /// SIGTERM to the AppHost, as Ctrl+C or a service manager would; then waits for every process DCP ran for it to be
    /// gone. Whatever is left after a minute is killed, by pid, and only if it is still the same command line.
    /// </summary>
    internal static async Task<(double ToExit, double ToAllStopped)> StopAsync(Process appHost, IReadOnlyDictionary<int, string> started)
    {
        var clock = Stopwatch.StartNew();
        if (!appHost.HasExited)
        {
            Signal(appHost.Id, "TERM");
        }

        using (var timeout = new CancellationTokenSource(s_stopTimeout))
        {
            try
            {
                await appHost.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"The AppHost (pid {appHost.Id}) did not stop within {s_stopTimeout.TotalSeconds} s of SIGTERM; killing it.");
                appHost.Kill();
                await appHost.WaitForExitAsync(CancellationToken.None);
            }
        }

        var toExit = clock.Elapsed.TotalSeconds;
        while (clock.Elapsed < s_stopTimeout * 2 && started.Keys.Any(pid => StillSame(pid, started[pid])))
        {
            await Task.Delay(50, CancellationToken.None);
        }

        var toAllStopped = clock.Elapsed.TotalSeconds;
        foreach (var (pid, commandLine) in started.Where(p => StillSame(p.Key, p.Value)))
        {
            Console.Error.WriteLine($"Still running after the AppHost stopped: {pid} {commandLine}; killing it.");
            Signal(pid, "KILL");
        }

        return (toExit, toAllStopped);
    }

    private static bool StillSame(int pid, string commandLine)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ').Trim() == commandLine;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("/bin/kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task CheckReadyAsync(Uri proxy, string caCertificatePath, CancellationToken cancellationToken)
    {
        using var client = HttpProbe.CreateClient(caCertificatePath);
        foreach (var path in new[] { "/health/ready", "/api/checklists" })
        {
            using var response = await client.GetAsync(new Uri(proxy, path), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The AppHost said Ready, but {proxy}{path.TrimStart('/')} answered {(int)response.StatusCode}");
            }
        }
    }

    /// <summary>The AppHost beside this bench's build: the same configuration and target framework.</summary>
    private static string AppHostExecutable()
    {
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        // Projects.AppHost.ProjectPath is the AppHost project's directory.
        var executable = Path.Combine(Projects.AppHost.ProjectPath, "bin", output.Parent!.Name, output.Name, "AppHost");
        return File.Exists(executable)
            ? executable
            : throw new FileNotFoundException($"{executable} is missing: build it first (dotnet build AppHost -c {output.Parent.Name})");
    }

    [GeneratedRegex(@"Ready: \S+ at (?<url>\S+)")]
    private static partial Regex ReadyLine();

    /// <summary>ConsoleStatus' "{resource}: {state}" (the console logger indents a message under its category line).</summary>
    [GeneratedRegex(@"^\s*(?<resource>[a-z][a-z0-9-]*): (?<state>(?:Waiting|Starting|Running|Finished|Exited|FailedToStart|Stopping)(?: \(\w+\))?(?:, exit code -?\d+)?)$")]
    private static partial Regex StateLine();

    /// <summary>Samples the AppHost's, DCP's and everything's memory until stopped; remembers every process it saw.</summary>
    private sealed class StartupSampler : IDisposable
    {
        private readonly int _appHostPid;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private readonly Dictionary<int, string> _seen = [];

        public StartupSampler(int appHostPid, TimeSpan interval)
        {
            _appHostPid = appHostPid;
            _sampling = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(interval);
                do
                {
                    Sample();
                }
                while (await WaitAsync(timer));
            });
        }

        public StartupPeaks Peaks { get; private set; } = new(0, 0, 0, 0, 0, 0, 0, 0);

        /// <summary>Every process DCP ran for this AppHost (and DCP itself), with its command line.</summary>
        public IReadOnlyDictionary<int, string> SeenPids => _seen;

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
        }

        public void Dispose() => _stop.Dispose();

        private async Task<bool> WaitAsync(PeriodicTimer timer)
        {
            try
            {
                return await timer.WaitForNextTickAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private void Sample()
        {
            var table = ProcessTable.Capture();
            var dcpTree = table.DcpTree(_appHostPid).ToList();
            foreach (var process in dcpTree)
            {
                _seen.TryAdd(process.Pid, string.Join(' ', process.Arguments));
            }

            var dcp = dcpTree.Where(p => p.IsDcp).Select(p => p.Pid).ToList();
            var dashboard = dcpTree.Where(p => p.IsDashboard).SelectMany(p => table.Tree(p.Pid)).ToList();
            var all = table.Tree(_appHostPid).Concat(dcpTree.Select(p => p.Pid)).Distinct().ToList();
            var previous = Peaks;
            Peaks = new StartupPeaks(
                Math.Max(previous.AppHostRss, ProcessTable.RssMiB([_appHostPid])),
                Math.Max(previous.DcpRss, ProcessTable.RssMiB(dcp)),
                Math.Max(previous.DcpPss, ProcessTable.PssMiB(dcp)),
                Math.Max(previous.DcpProcesses, dcp.Count),
                Math.Max(previous.DashboardRss, ProcessTable.RssMiB(dashboard)),
                Math.Max(previous.AllRss, ProcessTable.RssMiB(all)),
                Math.Max(previous.AllPss, ProcessTable.PssMiB(all)),
                Math.Max(previous.AllProcesses, all.Count));
        }
    }
}
