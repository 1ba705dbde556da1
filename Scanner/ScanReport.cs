namespace Scanner;

/// <summary>The result of one scan.</summary>
/// <param name="Target">What was scanned.</param>
/// <param name="StartedAt">When the scan started.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Observatory">MDN HTTP Observatory's ten tests and grade, computed exactly as Observatory does.</param>
/// <param name="ProfileGrade">Observatory's rubric with page-only tests neutral for an API; equal to Observatory's grade for a web page.</param>
/// <param name="Checklist">The share of mapped checklist items that pass.</param>
/// <param name="Findings">Every check, passing and failing.</param>
/// <param name="Tls">The TLS probe, or null for a plain-HTTP target.</param>
public sealed record ScanReport(
    ScanTarget Target,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    ObservatoryResult Observatory,
    Grade ProfileGrade,
    ChecklistGrade Checklist,
    IReadOnlyList<Finding> Findings,
    TlsReport? Tls)
{
    public IEnumerable<Finding> Failures => Findings.Where(finding => !finding.Passed);
}
