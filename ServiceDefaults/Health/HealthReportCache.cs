using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServiceDefaults.Shutdown;

namespace ServiceDefaults.Health;

/// <summary>
/// Runs the health checks of a probe at most once per <see cref="HealthProbeOptions.CacheDuration"/>: concurrent
/// and repeated probes within the window share one run (in flight or finished), so probes never pile up on
/// PostgreSQL or Redis. A drain that starts ends the window at once: the orchestrator must read "not ready" on its
/// next probe, not one cache window into a drain that lasts little longer.
/// </summary>
internal sealed class HealthReportCache(HealthCheckService healthChecks, IOptions<HealthProbeOptions> options, TimeProvider time, ConnectionDrain? drain = null)
{
    private readonly Lock gate = new();
    private readonly Dictionary<HealthProbe, (Task<HealthReport> Report, long StartedAt, bool Draining)> runs = [];

    public Task<HealthReport> GetReportAsync(HealthProbe probe)
    {
        lock (gate)
        {
            var draining = drain?.IsDraining ?? false;
            if (runs.TryGetValue(probe, out var run) && run.Draining == draining
                && (!run.Report.IsCompleted || time.GetElapsedTime(run.StartedAt) < options.Value.CacheDuration))
            {
                return run.Report;
            }

            // Not tied to the first caller's request: its disconnect must not cancel the run the others await.
            var report = Task.Run(() => RunChecksAsync(probe));
            runs[probe] = (report, time.GetTimestamp(), draining);
            return report;
        }
    }

    private async Task<HealthReport> RunChecksAsync(HealthProbe probe)
    {
        var timeout = options.Value.Timeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        var startedAt = time.GetTimestamp();
        try
        {
            return await healthChecks.CheckHealthAsync(
                probe == HealthProbe.Live ? registration => registration.Tags.Contains(HealthCheckEndpoints.LiveTag) : null,
                deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var elapsed = time.GetElapsedTime(startedAt);
            var entry = new HealthReportEntry(HealthStatus.Unhealthy, $"Health checks did not finish within {timeout}.", elapsed, null, null);
            return new HealthReport(new Dictionary<string, HealthReportEntry> { ["timeout"] = entry }, elapsed);
        }
    }
}
