namespace Scanner;

public enum Severity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>One check's outcome: passing findings are kept too, as evidence for the review.</summary>
/// <param name="Id">Stable id, e.g. "hsts-max-age"; baselines and review evidence key on it.</param>
/// <param name="Title">What was checked, in a few words.</param>
/// <param name="Severity">How bad a failure is (a passing finding keeps the severity its failure would have).</param>
/// <param name="Passed">Whether the target passed.</param>
/// <param name="Evidence">The header or value seen, e.g. "Strict-Transport-Security: max-age=63072000".</param>
/// <param name="ChecklistItem">The checklist item it maps to, e.g. "SEC-04".</param>
/// <param name="Fix">One line that fixes it; empty when passed.</param>
public sealed record Finding(string Id, string Title, Severity Severity, bool Passed, string Evidence, string ChecklistItem, string Fix);
