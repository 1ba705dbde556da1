using System.Diagnostics.Metrics;

namespace Backup;

/// <summary>
/// When the newest backup was taken (<c>readiness_backup_last_success_timestamp_seconds</c>, read back from the
/// store when the worker starts, so a restart does not reset it), its size, and failed attempts. The alert
/// BackupTooOld fires when the newest is older than 26 hours.
/// </summary>
public sealed class BackupMetrics : IDisposable
{
    public const string MeterName = "ReadinessAspire.Backups";

    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> attempts;
    private readonly Histogram<double> duration;
    private long lastSuccessUnixSeconds = -1;
    private long lastBytes = -1;

    public BackupMetrics()
    {
        attempts = meter.CreateCounter<long>("readiness.backups", description: "Backups attempted, by outcome.");
        duration = meter.CreateHistogram<double>("readiness.backup.duration", unit: "s", description: "How long a backup took, dump and upload.");
        meter.CreateObservableGauge("readiness.backup.last_success_timestamp", ObserveLastSuccess, unit: "s",
            description: "Unix time of the newest backup in the store.");
        meter.CreateObservableGauge("readiness.backup.size", ObserveSize, unit: "By", description: "Size of the newest backup this worker took.");
    }

    public DateTimeOffset? LastSuccess => Interlocked.Read(ref lastSuccessUnixSeconds) is >= 0 and var seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>What the store already holds when the worker starts.</summary>
    public void Found(DateTimeOffset newest)
    {
        var seconds = newest.ToUnixTimeSeconds();
        long current;
        do
        {
            current = Interlocked.Read(ref lastSuccessUnixSeconds);
        }
        while (seconds > current && Interlocked.CompareExchange(ref lastSuccessUnixSeconds, seconds, current) != current);
    }

    public void Succeeded(DateTimeOffset takenAt, long bytes, double seconds)
    {
        Found(takenAt);
        Interlocked.Exchange(ref lastBytes, bytes);
        attempts.Add(1, new KeyValuePair<string, object?>("outcome", "succeeded"));
        duration.Record(seconds);
    }

    public void Failed(Exception exception) =>
        attempts.Add(1, new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("error.type", exception.GetType().Name));

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveLastSuccess() =>
        Interlocked.Read(ref lastSuccessUnixSeconds) is >= 0 and var seconds ? [new Measurement<long>(seconds)] : [];

    private IEnumerable<Measurement<long>> ObserveSize() =>
        Interlocked.Read(ref lastBytes) is >= 0 and var bytes ? [new Measurement<long>(bytes)] : [];
}
