using System.Diagnostics.Metrics;
using Scanner;
using Scanner.Grading;

namespace WebApi.Scans;

/// <summary>
/// Each service environment's latest score and grade as gauges, so Prometheus keeps the trend and alerts when a grade
/// drops (Monitoring/alert-rules.yml). Every replica exports the same values, read from the database.
/// </summary>
public sealed class ScanMetrics : IDisposable
{
    public const string MeterName = "ReadinessAspire.Scans";

    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> finished;
    private readonly Histogram<double> duration;
    private volatile IReadOnlyList<LatestScan> latest = [];

    public ScanMetrics()
    {
        finished = meter.CreateCounter<long>("readiness.scans.finished", description: "Scans finished by this replica, by outcome.");
        duration = meter.CreateHistogram<double>("readiness.scan.duration", unit: "s", description: "How long a scan took.");
        meter.CreateObservableGauge("readiness.scan.score", () => Measure(scan => scan.Score), description: "Observatory score of the latest scan.");
        meter.CreateObservableGauge("readiness.scan.grade_rank", () => Measure(scan => Math.Max(0, GradeScale.Rank(scan.Grade))),
            description: "Observatory grade of the latest scan, 0 (F) to 12 (A+).");
        meter.CreateObservableGauge("readiness.scan.profile_grade_rank", () => Measure(scan => Math.Max(0, GradeScale.Rank(scan.ProfileGrade))),
            description: "Grade for the environment's profile (web page or API), 0 (F) to 12 (A+).");
        meter.CreateObservableGauge("readiness.scan.checklist_passed_ratio", () => MeasureRatio(),
            description: "Share of the mapped checklist items the latest scan passed.");
    }

    /// <summary>Replaces the gauges' values with the latest scan of every environment.</summary>
    public void Update(IReadOnlyList<LatestScan> scans) => latest = scans;

    public void Completed(Scan scan, ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(report);
        finished.Add(1, new KeyValuePair<string, object?>("outcome", "completed"), new KeyValuePair<string, object?>("trigger", scan.Trigger.ToString()));
        duration.Record(report.Duration.TotalSeconds);
    }

    public void Failed(Scan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        finished.Add(1, new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("trigger", scan.Trigger.ToString()));
    }

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<int>> Measure(Func<LatestScan, int> value) =>
        latest.Select(scan => new Measurement<int>(value(scan), Tags(scan)));

    private IEnumerable<Measurement<double>> MeasureRatio() =>
        latest.Where(scan => scan.ChecklistTotal > 0).Select(scan => new Measurement<double>((double)scan.ChecklistPassed / scan.ChecklistTotal, Tags(scan)));

    private static KeyValuePair<string, object?>[] Tags(LatestScan scan) =>
        [new("service", scan.Service), new("environment", scan.Environment)];
}

/// <summary>The latest completed scan of one environment; <see cref="Service"/> is the slug, or "self".</summary>
public sealed record LatestScan(string Service, string Environment, int Score, string Grade, string ProfileGrade, int ChecklistPassed, int ChecklistTotal);
