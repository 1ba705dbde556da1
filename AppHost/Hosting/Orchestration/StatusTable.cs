using System.Text;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Prints one table of every resource each time the picture changes (settled for a moment, so bursts print once).</summary>
internal sealed class StatusTable(ResourceNotificationService notifications, bool enabled) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Start()
    {
        if (enabled)
        {
            _loop = Task.Run(LoopAsync);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        if (enabled)
        {
            Console.WriteLine(Render(notifications.Snapshot()));
        }
    }

    public void Dispose() => _stop.Dispose();

    private async Task LoopAsync()
    {
        var printed = string.Empty;
        while (!_stop.IsCancellationRequested)
        {
            await notifications.NextChange.WaitAsync(_stop.Token);
            await Task.Delay(300, _stop.Token);
            var table = Render(notifications.Snapshot());
            if (table != printed)
            {
                Console.WriteLine(table);
                printed = table;
            }
        }
    }

    internal static string Render(IReadOnlyList<ResourceSnapshot> resources)
    {
        string[] header = ["RESOURCE", "TYPE", "STATE", "HEALTH", "ENDPOINTS", "PIDS", "RESTARTS"];
        var rows = resources.Select(r => new[]
        {
            r.Name,
            r.Type,
            r.State.ToString(),
            r.Health.ToString(),
            string.Join(' ', r.Urls),
            string.Join(',', r.Pids),
            r.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        var failures = resources.Where(r => r.Message is not null).Select(r => $"  {r.Name}: {r.Message}");
        return text.AppendJoin(Environment.NewLine, failures).ToString().TrimEnd();
    }
}
