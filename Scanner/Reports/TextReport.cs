using System.Globalization;
using System.Text;
using Scanner.Grading;

namespace Scanner.Reports;

/// <summary>The scan for a person: the grades with their working, then what fails, worst first, with the fix.</summary>
public static class TextReport
{
    public static string Render(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var observatory = report.Observatory.Grade;
        Line(text, $"Scan of {report.Target.Url} ({report.Target.Profile}) at {report.StartedAt:u} in {report.Duration.TotalSeconds:0.0} s");
        Line(text, $"Observatory grade: {observatory.Letter} (score {observatory.Score}, {observatory.ScoreBeforeBonuses} before bonuses; {observatory.Rubric})");
        WriteModifiers(text, observatory);
        if (report.Target.Profile == ScanProfile.Api)
        {
            var profile = report.ProfileGrade;
            Line(text, $"API profile grade: {profile.Letter} (score {profile.Score}, {profile.ScoreBeforeBonuses} before bonuses; "
                + $"page-only penalties neutral: {string.Join(", ", ProfileGrader.NeutralForApi.Order(StringComparer.Ordinal))})");
        }

        var checklist = report.Checklist;
        Line(text, $"Checklist: {checklist.Passed} of {checklist.Total} items pass"
            + (checklist.Items.Any(item => !item.Passed)
                ? $" (failing: {string.Join(", ", checklist.Items.Where(item => !item.Passed).Select(item => item.ItemId))})"
                : ""));
        if (report.Tls is { } tls)
        {
            Line(text, $"TLS: {(tls.Protocol?.ToString() ?? "no handshake")}{(tls.CipherSuite is null ? "" : $" {tls.CipherSuite}")}"
                + (tls.NotAfter is { } notAfter ? $", certificate expires {notAfter:yyyy-MM-dd}" : "")
                + (tls.Error is null ? "" : $", {tls.Error}"));
        }

        var failures = report.Failures.OrderByDescending(finding => finding.Severity).ThenBy(finding => finding.Id, StringComparer.Ordinal).ToList();
        text.AppendLine();
        Line(text, failures.Count == 0
            ? $"All {report.Findings.Count} checks pass."
            : $"{failures.Count(finding => finding.Severity != Severity.Info)} failing of {report.Findings.Count} checks:");
        foreach (var group in failures.GroupBy(finding => finding.Severity))
        {
            Line(text, $"  {group.Key}");
            foreach (var finding in group)
            {
                Line(text, $"    {finding.Id} [{finding.ChecklistItem}] {finding.Title}");
                Line(text, $"      seen: {finding.Evidence}");
                if (finding.Fix.Length > 0)
                {
                    Line(text, $"      fix:  {finding.Fix}");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The change since a baseline, for the CLI's --baseline.</summary>
    public static string Render(ScanComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var text = new StringBuilder();
        Line(text, $"Since the baseline: grade {comparison.BaselineGrade} → {comparison.CurrentGrade} ({comparison.Change}, "
            + $"score {comparison.ScoreDelta.ToString("+0;-0;0", CultureInfo.InvariantCulture)})");
        foreach (var finding in comparison.NewlyFailing)
        {
            Line(text, $"  newly failing: {finding.Id} ({finding.Severity}) {finding.Evidence}");
        }

        foreach (var finding in comparison.Fixed)
        {
            Line(text, $"  fixed: {finding.Id}");
        }

        Line(text, comparison.HasRegressions ? "Regressions found." : "No regressions.");
        return text.ToString();
    }

    private static void WriteModifiers(StringBuilder text, Grade grade)
    {
        foreach (var modifier in grade.Modifiers)
        {
            Line(text, $"  {modifier.Modifier.ToString("+0;-0;0", CultureInfo.InvariantCulture),4}  {modifier.Test}: {modifier.Result}");
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
