namespace Scanner.Grading;

/// <summary>Maps findings to checklist items: an item counts when a non-Info finding evidences it, and passes when none of them fails.</summary>
public static class ChecklistGrader
{
    public static ChecklistGrade Grade(IReadOnlyList<Finding> findings)
    {
        var items = findings
            .Where(finding => finding.Severity != Severity.Info)
            .GroupBy(finding => finding.ChecklistItem, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new ChecklistItemResult(
                group.Key,
                group.All(finding => finding.Passed),
                [.. group.Where(finding => !finding.Passed).Select(finding => finding.Id)],
                [.. group.Where(finding => finding.Passed).Select(finding => finding.Id)]))
            .ToList();
        return new ChecklistGrade(items.Count(item => item.Passed), items.Count, items);
    }
}
