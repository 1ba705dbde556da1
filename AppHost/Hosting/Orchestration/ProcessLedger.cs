using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>
/// Records every process the AppHost starts, so that a start after the AppHost was killed (SIGKILL leaves its
/// children running) can stop what the last run left. A pid is matched with its start time, so a recycled pid
/// belonging to someone else is never signalled.
/// </summary>
internal sealed class ProcessLedger(string path, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LedgerEntry> _entries = [];

    public void Add(string instance, int pid, int stopSignal)
    {
        lock (_gate)
        {
            _entries[instance] = new LedgerEntry(instance, pid, ProcessStartTime(pid), stopSignal);
            Save();
        }
    }

    public void Remove(string instance)
    {
        lock (_gate)
        {
            if (_entries.Remove(instance))
            {
                Save();
            }
        }
    }

    /// <summary>Stops the processes a previous run left behind: gracefully first, then by SIGKILL.</summary>
    public async Task CleanUpPreviousRunAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var leftovers = (JsonSerializer.Deserialize<List<LedgerEntry>>(await File.ReadAllTextAsync(path, cancellationToken)) ?? [])
            .Where(e => e.StartTime is not null && ProcessStartTime(e.Pid) == e.StartTime)
            .ToList();
        foreach (var entry in leftovers)
        {
            logger.StoppingLeftover(entry.Instance, entry.Pid);
            NativeMethods.SignalGroup(entry.Pid, entry.StopSignal);
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (leftovers.Any(e => NativeMethods.GroupExists(e.Pid)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }

        foreach (var entry in leftovers.Where(e => NativeMethods.GroupExists(e.Pid)))
        {
            NativeMethods.SignalGroup(entry.Pid, NativeMethods.SIGKILL);
        }

        File.Delete(path);
    }

    /// <summary>Field 22 of /proc/PID/stat: clock ticks since boot at which the process started.</summary>
    internal static string? ProcessStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(_entries.Values.ToList()));
    }

    private sealed record LedgerEntry(string Instance, int Pid, string? StartTime, int StopSignal);
}
