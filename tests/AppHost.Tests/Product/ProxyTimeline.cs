using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AppHost.Tests.Product;

/// <summary>
/// What a drill needs to explain a failed request afterwards, each line with the time it was seen: the drill's own
/// steps, every change of the servers in nginx's <c>webapi</c> upstream, every new generation of nginx workers (a
/// reload), and the failures, counted by second, beside nginx's error log, counted by second, worker and kind.
/// </summary>
internal sealed partial class ProxyTimeline : IAsyncDisposable
{
    private readonly ConcurrentQueue<(DateTime At, string What)> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    private ProxyTimeline(string configuration, int nginx)
    {
        _following = Task.Run(() => FollowAsync(configuration, nginx, _stop.Token));
    }

    /// <summary>Follows the configuration file and the workers of the nginx master <paramref name="nginx"/> every 50 ms.</summary>
    public static ProxyTimeline Follow(string configuration, int nginx) => new(configuration, nginx);

    public void Note(string what) => _events.Enqueue((DateTime.UtcNow, what));

    /// <summary>The timeline, then the failures and nginx's error lines, each grouped by second.</summary>
    public IEnumerable<string> Report(IEnumerable<(DateTime At, string What)> failures, IEnumerable<string> errorLog)
    {
        foreach (var (at, what) in _events.OrderBy(e => e.At))
        {
            yield return $"{at:HH:mm:ss.fff} {what}";
        }

        foreach (var group in failures.GroupBy(f => (Second: f.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture), f.What)))
        {
            yield return $"{group.Key.Second} failed x{group.Count().ToString(CultureInfo.InvariantCulture)}: {group.Key.What}";
        }

        foreach (var group in errorLog.Select(line => ErrorLine().Match(line)).Where(m => m.Success)
            .GroupBy(m => $"{m.Groups["time"].Value} worker {m.Groups["worker"].Value}: {m.Groups["kind"].Value} {m.Groups["upstream"].Value}"))
        {
            yield return $"{group.Key} x{group.Count().ToString(CultureInfo.InvariantCulture)}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _stop.Dispose();
    }

    private async Task FollowAsync(string configuration, int nginx, CancellationToken cancellationToken)
    {
        string? servers = null;
        string? workers = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var upstream = WebApiUpstream().Match(await File.ReadAllTextAsync(configuration, CancellationToken.None));
            var nowServers = upstream.Success ? string.Join(' ', ServerAddress().Matches(upstream.Value).Select(m => m.Groups[1].Value)) : "(no webapi upstream)";
            if (nowServers != servers)
            {
                Note($"nginx.conf: webapi upstream {nowServers}");
                servers = nowServers;
            }

            // Pid and command line: an old worker says "shutting down", the cache loader leaves after a minute.
            var nowWorkers = string.Join(", ", LinuxProcess.Children(nginx));
            if (nowWorkers != workers)
            {
                Note($"nginx children: {nowWorkers}");
                workers = nowWorkers;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [GeneratedRegex(@"upstream webapi \{[^}]*\}")]
    private static partial Regex WebApiUpstream();

    [GeneratedRegex(@"server (\S+)")]
    private static partial Regex ServerAddress();

    /// <summary>An nginx error log line: its time of day, the worker, what happened and to which upstream.</summary>
    [GeneratedRegex(@"^\S+ (?<time>\S+) \[\w+\] (?<worker>\d+)#\d+: (?:\*\d+ )?(?<kind>.+?)(?: while |, client: |$)(?:.*upstream: ""https?://(?<upstream>[^/""]+))?")]
    private static partial Regex ErrorLine();
}
