using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace ReadinessAspire.Bench;

/// <summary>
/// Follows the proxy's access log (nginx's JSON lines on its stdout, kept by Aspire's resource logger) and counts the
/// answers of 400 and above under <c>/api/</c> by status, path and upstream status: wrk counts failures, but cannot say
/// which they were. 499 (the client closed the connection: wrk does at the end of each run) is not counted, nor the
/// stack's scans of itself, which probe other paths and expect 404s.
/// </summary>
internal sealed partial class ProxyFailures : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    public ProxyFailures(DistributedApplication app)
    {
        var proxy = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "proxy");
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        _following = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in logs.WatchAsync(proxy).WithCancellation(_stop.Token))
                {
                    foreach (var line in batch)
                    {
                        if (FailedAnswer().Match(line.Content) is { Success: true } failed)
                        {
                            _counts.AddOrUpdate($"{failed.Groups["status"].Value} {failed.Groups["path"].Value} (upstream {(failed.Groups["upstream"].Value is { Length: > 0 } upstream ? upstream : "none")})", 1, (_, count) => count + 1);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>What was counted since the last call ("503 /api/services (upstream 503) x12; ..."), and starts again.</summary>
    public string TakeSummary()
    {
        var taken = new List<string>();
        foreach (var key in _counts.Keys.Order(StringComparer.Ordinal))
        {
            if (_counts.TryRemove(key, out var count))
            {
                taken.Add(string.Create(CultureInfo.InvariantCulture, $"{key} x{count}"));
            }
        }

        return string.Join("; ", taken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _stop.Dispose();
    }

    [GeneratedRegex("\"path\":\"(?<path>/api/[^\"]*)\".*\"status\":(?<status>4(?!99)\\d\\d|5\\d\\d),.*\"upstream_status\":\"(?<upstream>[^\"]*)\"")]
    private static partial Regex FailedAnswer();
}
