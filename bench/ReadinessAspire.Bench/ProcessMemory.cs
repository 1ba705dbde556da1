using System.Globalization;

namespace ReadinessAspire.Bench;

internal static class ProcessMemory
{
    /// <summary>
    /// Resident memory of a process and all its descendants in MiB: a server's workers and backends count too
    /// (PostgreSQL's backends leave the postmaster's process group, so the tree is followed by parent pid).
    /// </summary>
    public static double TreeRssMiB(int rootPid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || ParentOf(directory) is not { } parent)
            {
                continue;
            }

            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        long kib = 0;
        var pending = new Stack<int>([rootPid]);
        while (pending.TryPop(out var pid))
        {
            kib += RssKiB($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return kib / 1024.0;
    }

    public static double SelfRssMiB() => RssKiB("/proc/self") / 1024.0;

    private static int? ParentOf(string procDirectory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procDirectory, "stat"));
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // The process ended while we looked.
        }
    }

    private static long RssKiB(string procDirectory)
    {
        try
        {
            return File.ReadLines(Path.Combine(procDirectory, "status"))
                .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
