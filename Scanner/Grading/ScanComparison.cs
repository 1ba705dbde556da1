namespace Scanner.Grading;

public enum GradeChange
{
    Same,
    Up,
    Down,
}

/// <summary>
/// What changed between a baseline scan and the current one. Grades compared are the profile grades (Observatory's for
/// a web page), the grade a pipeline gates on. Info findings (unchecked probes, page-only findings of an API) are not regressions.
/// </summary>
/// <param name="NewlyFailing">Findings failing now that passed, or did not exist, in the baseline.</param>
/// <param name="Fixed">Findings failing in the baseline that pass now.</param>
public sealed record ScanComparison(
    string BaselineGrade,
    string CurrentGrade,
    int BaselineScore,
    int CurrentScore,
    GradeChange Change,
    IReadOnlyList<Finding> NewlyFailing,
    IReadOnlyList<Finding> Fixed)
{
    public int ScoreDelta => CurrentScore - BaselineScore;

    /// <summary>A pipeline with a baseline fails on this: a lower letter, or a finding that newly fails.</summary>
    public bool HasRegressions => Change == GradeChange.Down || NewlyFailing.Count > 0;

    public static ScanComparison Compare(ScanReport baseline, ScanReport current)
    {
        var before = Failing(baseline).ToDictionary(finding => finding.Id, StringComparer.Ordinal);
        var now = Failing(current).ToDictionary(finding => finding.Id, StringComparer.Ordinal);
        var currentIds = current.Findings.Select(finding => finding.Id).ToHashSet(StringComparer.Ordinal);
        var rankBefore = GradeScale.Rank(baseline.ProfileGrade.Letter);
        var rankNow = GradeScale.Rank(current.ProfileGrade.Letter);
        return new ScanComparison(
            baseline.ProfileGrade.Letter,
            current.ProfileGrade.Letter,
            baseline.ProfileGrade.Score,
            current.ProfileGrade.Score,
            rankNow > rankBefore ? GradeChange.Up : rankNow < rankBefore ? GradeChange.Down : GradeChange.Same,
            [.. now.Values.Where(finding => !before.ContainsKey(finding.Id))],
            // Fixed means seen passing now; a check that did not run this time (gone, or Info) is not a fix.
            [.. before.Values.Where(finding => !now.ContainsKey(finding.Id) && currentIds.Contains(finding.Id)
                && current.Findings.Any(seen => seen.Id == finding.Id && seen.Passed))]);
    }

    private static IEnumerable<Finding> Failing(ScanReport report) =>
        report.Findings.Where(finding => !finding.Passed && finding.Severity != Severity.Info).DistinctBy(finding => finding.Id);
}
