using System.Globalization;

namespace ReadinessAspire.Bench;

/// <summary>One process as /proc showed it: its parent and its command line.</summary>
internal sealed record ProcessEntry(int Pid, int ParentPid, IReadOnlyList<string> Arguments)
{
    public string Executable => Arguments.Count > 0 ? Arguments[0] : string.Empty;

    /// <summary>DCP's own binary: start-apiserver, run-controllers and a monitor-process per resource.</summary>
    public bool IsDcp => Path.GetFileName(Executable) == "dcp";

    public bool IsDashboard => Path.GetFileName(Executable).StartsWith("Aspire.Dashboard", StringComparison.Ordinal);

    /// <summary><c>dotnet run</c>, which DCP starts for a project; the application itself is its child.</summary>
    public bool IsDotnetRun => Path.GetFileName(Executable) == "dotnet" && Arguments.Count > 1 && Arguments[1] == "run";
}

/// <summary>
/// What resident memory (RSS, MiB) is made of: anonymous pages (the GC heap, native heaps, stacks), mapped files (the
/// assemblies and native libraries: clean pages, shared with every process that maps the same file, the first the kernel
/// drops under pressure) and shared memory, which for .NET is its executable memory (JIT'd code, stubs, loader heaps):
/// with W^X the runtime allocates it from a memfd so that it can map a page writable and executable at different times.
/// PSS divides shared pages among the processes that map them.
/// </summary>
internal sealed record ResidentMemory(double RssMiB, double AnonymousMiB, double FileMiB, double SharedMiB, double PssMiB);

/// <summary>
/// A snapshot of every process on the machine (parent and command line), with resident (RSS) and proportional (PSS:
/// shared pages divided among the processes sharing them) memory read on demand. Memory is summed per process tree, since
/// PostgreSQL's backends and nginx's workers are children of the process DCP started.
/// </summary>
internal sealed class ProcessTable
{
    private readonly Dictionary<int, ProcessEntry> _processes;
    private readonly Dictionary<int, List<int>> _children = [];

    private ProcessTable(Dictionary<int, ProcessEntry> processes)
    {
        _processes = processes;
        foreach (var process in processes.Values)
        {
            if (!_children.TryGetValue(process.ParentPid, out var list))
            {
                _children[process.ParentPid] = list = [];
            }

            list.Add(process.Pid);
        }
    }

    public static ProcessTable Capture()
    {
        var processes = new Dictionary<int, ProcessEntry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } entry)
            {
                processes[pid] = entry;
            }
        }

        return new ProcessTable(processes);
    }

    public ProcessEntry? this[int pid] => _processes.GetValueOrDefault(pid);

    public IEnumerable<ProcessEntry> All => _processes.Values;

    public IReadOnlyList<int> Children(int pid) => _children.GetValueOrDefault(pid) ?? [];

    /// <summary>A process and all its descendants.</summary>
    public IEnumerable<int> Tree(int pid)
    {
        if (!_processes.ContainsKey(pid))
        {
            yield break;
        }

        var pending = new Stack<int>([pid]);
        while (pending.TryPop(out var current))
        {
            yield return current;
            foreach (var child in Children(current))
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>
    /// DCP's processes for the AppHost with pid <paramref name="appHostPid"/>: the API server started with
    /// <c>--monitor &lt;pid&gt;</c> (it detaches, so it is no child of the AppHost) and everything below it.
    /// </summary>
    public IEnumerable<ProcessEntry> DcpTree(int appHostPid)
    {
        var monitor = appHostPid.ToString(CultureInfo.InvariantCulture);
        return _processes.Values
            .Where(p => p.IsDcp && p.Arguments.Zip(p.Arguments.Skip(1)).Any(pair => pair is ("--monitor", var value) && value == monitor))
            .SelectMany(p => Tree(p.Pid))
            .Distinct()
            .Select(pid => _processes[pid]);
    }

    public static double RssMiB(IEnumerable<int> pids) => pids.Sum(pid => StatusKiB(pid, "/status", "VmRSS:")) / 1024.0;

    public static double PssMiB(IEnumerable<int> pids) => pids.Sum(pid => StatusKiB(pid, "/smaps_rollup", "Pss:")) / 1024.0;

    /// <summary>The resident memory of <paramref name="pids"/> by kind (/proc/PID/status), and their PSS.</summary>
    public static ResidentMemory Composition(IReadOnlyCollection<int> pids)
    {
        long rss = 0, anonymous = 0, file = 0, shared = 0;
        foreach (var pid in pids)
        {
            // One read of the status file per process, so the four values come from the same moment.
            var status = StatusValuesKiB(pid, "/status", "VmRSS:", "RssAnon:", "RssFile:", "RssShmem:");
            rss += status[0];
            anonymous += status[1];
            file += status[2];
            shared += status[3];
        }

        return new(rss / 1024.0, anonymous / 1024.0, file / 1024.0, shared / 1024.0, PssMiB(pids));
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

    private static ProcessEntry? Read(int pid)
    {
        var directory = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            var stat = File.ReadAllText(directory + "/stat");
            var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            var arguments = File.ReadAllText(directory + "/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            return new ProcessEntry(pid, parent, arguments);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // The process ended while we looked.
        }
    }

    private static long StatusKiB(int pid, string file, string key) => StatusValuesKiB(pid, file, key)[0];

    /// <summary>The values of <paramref name="keys"/> in one read of a /proc file, in KiB; 0 for a key not found or a process gone.</summary>
    private static long[] StatusValuesKiB(int pid, string file, params string[] keys)
    {
        var values = new long[keys.Length];
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}{file}"))
            {
                var index = Array.FindIndex(keys, key => line.StartsWith(key, StringComparison.Ordinal));
                if (index >= 0)
                {
                    values[index] = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process ended while we looked.
        }

        return values;
    }
}
