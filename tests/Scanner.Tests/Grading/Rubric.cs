namespace Scanner.Tests.Grading;

/// <summary>
/// Observatory's published rubric, written out for the tests from mdn-http-observatory 1.4.8: src/scanner/index.js
/// (bonuses count only when the score without them reaches MINIMUM_SCORE_FOR_EXTRA_CREDIT, 90) and src/grader/charts.js
/// (GRADE_CHART: the score floored to a multiple of 5, capped at 100, never below 0).
/// </summary>
internal static class Rubric
{
    private static readonly (int Floor, string Letter)[] Chart =
    [
        (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"), (45, "C-"),
        (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
    ];

    public static Grade Grade(IReadOnlyList<ObservatoryTestResult> tests)
    {
        var withBonuses = 100 + tests.Sum(test => test.ScoreModifier);
        var beforeBonuses = 100 + tests.Where(test => test.ScoreModifier < 0).Sum(test => test.ScoreModifier);
        var score = Math.Max(beforeBonuses >= 90 ? withBonuses : beforeBonuses, 0);
        var key = Math.Min(score - (score % 5), 100);
        return new Grade(score, beforeBonuses, Chart.First(row => key >= row.Floor).Letter,
            [.. tests.Select(test => new ScoreModifier(test.Name, test.Result, test.ScoreModifier))], "test rubric");
    }

    public static ObservatoryTestResult Test(string name, int modifier, string? result = null) =>
        new(name, $"{name}-expected", result ?? $"{name}-{(modifier < 0 ? "bad" : "ok")}", modifier >= 0, modifier, null);

    /// <summary>Observatory's ten tests with the given modifiers, zero for the rest.</summary>
    public static IReadOnlyList<ObservatoryTestResult> Tests(params (string Name, int Modifier)[] modifiers)
    {
        string[] names =
        [
            "content-security-policy", "cookies", "cross-origin-resource-sharing", "cross-origin-resource-policy", "redirection",
            "referrer-policy", "strict-transport-security", "subresource-integrity", "x-content-type-options", "x-frame-options",
        ];
        return [.. names.Select(name => Test(name, modifiers.FirstOrDefault(pair => pair.Name == name).Modifier))];
    }

    public static ObservatoryResult Result(IReadOnlyList<ObservatoryTestResult> tests) => new(tests, Grade(tests));
}
