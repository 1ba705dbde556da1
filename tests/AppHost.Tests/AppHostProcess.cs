using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ReadinessAspire.Testing;

namespace AppHost.Tests;

/// <summary>
/// The built AppHost program in a child process, as <c>dotnet run --project AppHost</c> runs it, on its own ports,
/// data directory and user-secrets store. It knows it is up from the console lines ConsoleStatus prints, and it finds
/// every process the run started by pid: its descendants, DCP's detached processes that monitor it, and theirs.
/// Disposing it stops whatever of that is still running, by pid, never by name.
/// </summary>
internal sealed partial class AppHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Dictionary<string, string> _states = new(StringComparer.Ordinal);
    private readonly HashSet<LinuxProcess> _seen = [];
    private readonly TaskCompletionSource<Uri> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _brokenLogShown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _brokenLogLinesToCome;

    private AppHostProcess(Process process, string dataDirectory, string userSecretsId)
    {
        _process = process;
        DataDirectory = dataDirectory;
        UserSecretsId = userSecretsId;
        Self = LinuxProcess.Find(process.Id) ?? throw new InvalidOperationException($"The AppHost (pid {process.Id}) exited at once.");
        _seen.Add(Self);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>The AppHost process itself, with its start time so a reused pid is never mistaken for it.</summary>
    public LinuxProcess Self { get; }

    public string DataDirectory { get; }

    public string UserSecretsId { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>When the AppHost process exited, local time.</summary>
    public DateTime ExitTime => _process.ExitTime;

    /// <summary>Everything the AppHost printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The last state ConsoleStatus printed for each resource (a replica under its own id).</summary>
    public IReadOnlyDictionary<string, string> States
    {
        get
        {
            lock (_output)
            {
                return new Dictionary<string, string>(_states, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The configuration the built AppHost was compiled in is the tests' own (Debug or Release).</summary>
    public static string AppHostDll
    {
        get
        {
            var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
            return Path.Combine(Projects.AppHost.ProjectPath, "bin", configuration, "net10.0", "AppHost.dll");
        }
    }

    /// <summary>
    /// Starts the AppHost with throwaway data in <paramref name="dataDirectory"/> and generated secrets in the
    /// user-secrets store <paramref name="userSecretsId"/>; random ports for everything, so it never clashes with a
    /// running AppHost or another test. <paramref name="environment"/> adds to or overrides the environment it runs in.
    /// </summary>
    public static AppHostProcess Start(string dataDirectory, string userSecretsId, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = AppHostDll;
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var ports = FreeLoopbackPorts.Take(3);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            // `dotnet run --project AppHost` runs it in the project's folder, where its appsettings.json is.
            WorkingDirectory = Projects.AppHost.ProjectPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            Environment =
            {
                // As the launch profile that `dotnet run` uses: Development is what makes Aspire read the generated
                // secrets back from the user-secrets store, so that a second run finds the first run's passwords.
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["AppHost__DataDirectory"] = dataDirectory,
                ["DcpPublisher__RandomizePorts"] = "true",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[0]}",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{ports[1]}",
                ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{ports[2]}",
                ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
                ["ASPIRE_USER_SECRETS_ID"] = userSecretsId,
                ["postgres__Settings"] = "fsync=off",
            },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new AppHostProcess(Process.Start(start)!, dataDirectory, userSecretsId);
    }

    /// <summary>The user-secrets file Aspire persists generated parameter values to, as .NET's user secrets place it.</summary>
    public static string UserSecretsFile(string userSecretsId) =>
        Path.Combine(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets", userSecretsId, "secrets.json");

    /// <summary>A stored secret of this AppHost's user-secrets store, for example <c>Parameters:postgres-password</c>.</summary>
    public string? StoredSecret(string key) =>
        File.Exists(UserSecretsFile(UserSecretsId))
            ? JsonNode.Parse(File.ReadAllText(UserSecretsFile(UserSecretsId)))?[key]?.GetValue<string>()
            : null;

    /// <summary>
    /// Waits for ConsoleStatus's "Ready: proxy at https://localhost:N" line: every resource is up. Fails at once when a
    /// resource fails to start or exits with an error code before that, since nothing would start it again, with the
    /// resource's last log lines once the AppHost has printed them.
    /// </summary>
    public async Task<Uri> WaitUntilReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, _broken.Task, exited, Task.Delay(timeout));
        if (first == _ready.Task)
        {
            return await _ready.Task;
        }

        if (first == _broken.Task)
        {
            await WaitForBrokenLogAsync();
        }

        var states = string.Join(", ", States.Select(s => $"{s.Key}: {s.Value}"));
        Assert.Fail(first == exited ? $"The AppHost exited with code {_process.ExitCode} before it was ready ({states}):\n{Output}"
            : first == _broken.Task ? $"{await _broken.Task} before the AppHost was ready ({states}):\n{Output}"
            : $"Not ready within {timeout} ({states}):\n{Output}");
        throw new UnreachableException();
    }

    /// <summary>
    /// Waits for a resource to fail to start or exit with an error code, and for the AppHost to print its last log
    /// lines: the resource and its state.
    /// </summary>
    public async Task<string> WaitForFailureAsync(TimeSpan timeout)
    {
        var first = await Task.WhenAny(_broken.Task, _ready.Task, _process.WaitForExitAsync(), Task.Delay(timeout));
        Assert.True(first == _broken.Task, $"No resource failed within {timeout}:\n{Output}");
        await WaitForBrokenLogAsync();
        return await _broken.Task;
    }

    /// <summary>The last log lines follow the state line once DCP has given them: a few seconds at most.</summary>
    private async Task WaitForBrokenLogAsync() => await Task.WhenAny(_brokenLogShown.Task, Task.Delay(TimeSpan.FromSeconds(15)));

    /// <summary>
    /// Every process of this run that is alive now: the AppHost and its descendants, DCP's detached processes
    /// (whose command line says <c>--monitor PID</c> of one of them) and their descendants, found again until nothing
    /// new turns up. Only processes of this user are taken as monitors; descendants are taken whoever runs them
    /// (PostgreSQL runs as postgres, nginx's workers as nobody).
    /// </summary>
    public IReadOnlyCollection<LinuxProcess> ProcessTree()
    {
        var tree = LinuxProcess.Tree(Self);
        lock (_seen)
        {
            _seen.UnionWith(tree);
        }

        return tree;
    }

    /// <summary>The PostgreSQL server's port and pid, as the postmaster itself records them in its data directory.</summary>
    public (int Pid, int Port) Postmaster()
    {
        var lines = File.ReadAllLines(Path.Combine(DataDirectory, "volumes", "postgres-data", "postmaster.pid"));
        return (int.Parse(lines[0], CultureInfo.InvariantCulture), int.Parse(lines[3], CultureInfo.InvariantCulture));
    }

    /// <summary>A client of the proxy that trusts only this run's local certificate authority, as a browser would.</summary>
    public HttpClient CreateProxyClient(Uri proxy) => ProxyClient.Create(proxy, Path.Combine(DataDirectory, "certs", "ca.crt"));

    /// <summary>Sends a signal to the AppHost process (by its pid, checked against its start time).</summary>
    public void Signal(int signal) => Self.Signal(signal);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the run if it still runs (SIGTERM, then SIGKILL), gives DCP's monitor its time to stop the rest, and
    /// kills by pid whatever of this run is still alive after that.
    /// </summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                ProcessTree();
                Signal(15);
                if (!_process.WaitForExit(15_000))
                {
                    Signal(9);
                    _process.WaitForExit(5_000);
                }
            }

            // What DCP started monitors the AppHost's pid even after the AppHost is gone: find it once more.
            List<LinuxProcess> leftovers;
            lock (_seen)
            {
                _seen.UnionWith(LinuxProcess.Tree(Self));
                leftovers = [.. _seen];
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (leftovers.Any(p => p.IsAlive) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }

            foreach (var process in leftovers.Where(p => p.IsAlive))
            {
                process.Signal(9);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(DateTime.Now.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture)).AppendLine(line);
            if (_brokenLogLinesToCome > 0)
            {
                // A failed resource's log lines follow their header one by one: shown once all have arrived.
                if (--_brokenLogLinesToCome == 0)
                {
                    _brokenLogShown.TrySetResult();
                }
            }
            else if (ReadyLine().Match(line) is { Success: true } ready)
            {
                _ready.TrySetResult(new Uri(ready.Groups["url"].Value));
            }
            else if (StateLine().Match(line) is { Success: true } state)
            {
                _states[state.Groups["name"].Value] = state.Groups["state"].Value;
                if (FailedState().IsMatch(state.Groups["state"].Value))
                {
                    _broken.TrySetResult($"{state.Groups["name"].Value}: {state.Groups["state"].Value}");
                    if (state.Groups["state"].Value.StartsWith("FailedToStart", StringComparison.Ordinal))
                    {
                        // Nothing ran, so there is no log to wait for: Aspire logs why it did not start.
                        _brokenLogShown.TrySetResult();
                    }
                }
            }
            else if (LastLogLinesLine().Match(line) is { Success: true } header)
            {
                _brokenLogLinesToCome = int.Parse(header.Groups["count"].Value, CultureInfo.InvariantCulture);
                if (_brokenLogLinesToCome == 0)
                {
                    _brokenLogShown.TrySetResult();
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*Ready: proxy at (?<url>https://localhost:\d+)\s*$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^\s*(?<name>[a-z][a-z0-9-]*): (?<state>(Starting|Waiting|Running|Finished|Exited|FailedToStart|Stopping|RuntimeUnhealthy|Unknown)\b.*)$")]
    private static partial Regex StateLine();

    [GeneratedRegex(@"^\s*[a-z][a-z0-9-]* exited with code -?[0-9]+; its last (?<count>[0-9]+) log lines:")]
    private static partial Regex LastLogLinesLine();

    [GeneratedRegex(@"^(FailedToStart\b.*|(Finished|Exited), exit code -?[1-9][0-9]*)$")]
    private static partial Regex FailedState();
}

/// <summary>A Linux process known by its pid and its start time (so a reused pid is never taken for it), read from /proc.</summary>
internal sealed record LinuxProcess(int Pid, ulong StartTime)
{
    /// <summary>The command line when the process was found, arguments separated by spaces.</summary>
    public string Command { get; private init; } = string.Empty;

    /// <summary>
    /// One of DCP's own processes: its command line says <c>--monitor PID</c> (the API server, the controllers, and
    /// the watchdog beside each child), rather than a process DCP runs for a resource.
    /// </summary>
    public bool IsMonitor { get; private init; }

    /// <summary>The process with this pid now, if there is one.</summary>
    public static LinuxProcess? Find(int pid) => Stat(pid) is { } stat ? new(pid, stat.StartTime) { Command = CommandLineOf(pid) } : null;

    /// <summary>The processes <paramref name="pid"/> started that are running now (none if it is gone).</summary>
    public static IReadOnlyList<LinuxProcess> Children(int pid) =>
        [.. (Read($"/proc/{pid}/task/{pid}/children") ?? string.Empty)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(child => Find(int.Parse(child, NumberStyles.None, CultureInfo.InvariantCulture)))
            .OfType<LinuxProcess>()];

    /// <summary>Alive: the same process (same start time) is still there and is not a zombie.</summary>
    public bool IsAlive => Stat(Pid) is { } stat && stat.StartTime == StartTime && stat.State != 'Z' && stat.State != 'X';

    /// <summary>The same process is the same pid started at the same time, whatever its command line says now.</summary>
    public bool Equals(LinuxProcess? other) => other is not null && other.Pid == Pid && other.StartTime == StartTime;

    public override int GetHashCode() => HashCode.Combine(Pid, StartTime);

    /// <summary>Sends <paramref name="signal"/> to this process if it is still this process.</summary>
    public void Signal(int signal)
    {
        if (!IsAlive)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", [$"-{signal.ToString(CultureInfo.InvariantCulture)}", Pid.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
    }

    public override string ToString() => $"{Pid} {Command}";

    /// <summary>
    /// <paramref name="root"/> and every process that belongs to it now: its descendants, and every process of this
    /// user whose command line says <c>--monitor PID</c> for a process already taken, with its descendants; until no
    /// new process turns up. <paramref name="root"/> need not be alive: DCP keeps monitoring a dead AppHost's pid.
    /// </summary>
    public static IReadOnlyCollection<LinuxProcess> Tree(LinuxProcess root)
    {
        var all = new Dictionary<int, (LinuxProcess Process, int ParentPid, int Uid, string[] Arguments)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && stat.State is not ('Z' or 'X'))
            {
                var arguments = Read($"/proc/{pid}/cmdline")?.Split('\0') ?? [];
                all[pid] = (new(pid, stat.StartTime) { Command = string.Join(' ', arguments).Trim(), IsMonitor = arguments.Contains("--monitor") }, stat.ParentPid, Uid(pid), arguments);
            }
        }

        var myUid = Uid(Environment.ProcessId);
        var taken = new HashSet<int> { root.Pid };
        var found = new HashSet<LinuxProcess>();
        if (root.IsAlive)
        {
            found.Add(root);
        }

        bool added;
        do
        {
            added = false;
            foreach (var (pid, (process, parent, uid, arguments)) in all)
            {
                if (taken.Contains(pid))
                {
                    continue;
                }

                var monitors = uid == myUid && Enumerable.Range(0, Math.Max(0, arguments.Length - 1))
                    .Any(i => arguments[i] == "--monitor" && int.TryParse(arguments[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var monitored) && taken.Contains(monitored));
                if (taken.Contains(parent) || monitors)
                {
                    taken.Add(pid);
                    found.Add(process);
                    added = true;
                }
            }
        }
        while (added);

        return found;
    }

    private static string CommandLineOf(int pid) => Read($"/proc/{pid}/cmdline")?.Replace('\0', ' ').Trim() ?? string.Empty;

    private static (char State, int ParentPid, ulong StartTime)? Stat(int pid)
    {
        // "pid (comm) state ppid ... starttime(22nd field) ...": comm may hold spaces and parentheses, so split after the last ')'.
        var stat = Read($"/proc/{pid}/stat");
        var end = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || end < 0)
        {
            return null;
        }

        var fields = stat[(end + 2)..].Split(' ');
        return fields.Length > 19
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
                ? (fields[0][0], parent, startTime)
                : null;
    }

    private static int Uid(int pid) =>
        Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is { } line
        && int.TryParse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? uid
            : -1;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // Gone meanwhile.
        }
    }
}
