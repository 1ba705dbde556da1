namespace Scanner;

/// <summary>One line of the score's working: the test, its result, and what it added or took away.</summary>
public sealed record ScoreModifier(string Test, string Result, int Modifier);

/// <summary>A score and letter with their working shown.</summary>
/// <param name="Score">The final score (bonuses included only when <paramref name="ScoreBeforeBonuses"/> reached the rubric's minimum).</param>
/// <param name="ScoreBeforeBonuses">100 plus every negative modifier.</param>
/// <param name="Letter">A+ .. F.</param>
/// <param name="Modifiers">Every test's modifier, zeros included.</param>
/// <param name="Rubric">The rubric and its version, e.g. "mdn-http-observatory 1.4.8, algorithm 4".</param>
public sealed record Grade(int Score, int ScoreBeforeBonuses, string Letter, IReadOnlyList<ScoreModifier> Modifiers, string Rubric);

/// <summary>One of Observatory's ten tests, as its API reports it.</summary>
/// <param name="Name">The test's name, e.g. "strict-transport-security".</param>
/// <param name="Expectation">The result it expects of a good site.</param>
/// <param name="Result">The result seen, e.g. "hsts-implemented-max-age-at-least-six-months".</param>
/// <param name="Pass">Whether the result is acceptable.</param>
/// <param name="ScoreModifier">The rubric's modifier for the result.</param>
/// <param name="Data">What the test read (the header value, the parsed policy), for the report.</param>
public sealed record ObservatoryTestResult(string Name, string Expectation, string Result, bool Pass, int ScoreModifier, string? Data);

/// <summary>Observatory's verdict: the ten tests and the grade from them.</summary>
public sealed record ObservatoryResult(IReadOnlyList<ObservatoryTestResult> Tests, Grade Grade);

/// <summary>The checklist's grade: the share of mapped items whose findings all pass.</summary>
public sealed record ChecklistGrade(int Passed, int Total, IReadOnlyList<ChecklistItemResult> Items)
{
    public double Share => Total == 0 ? 0 : (double)Passed / Total;
}

/// <summary>One checklist item as the scan sees it.</summary>
public sealed record ChecklistItemResult(string ItemId, bool Passed, IReadOnlyList<string> FailingFindings, IReadOnlyList<string> PassingFindings);
