namespace Scanner.Observatory;

/// <summary>Observatory's grader (src/scanner/index.js with src/grader): modifiers to a score, bonuses only from 90, score to letter.</summary>
public static class ObservatoryGrader
{
    /// <summary>
    /// Grades test results as scanner/index.js does, with the modifiers the results carry
    /// (so a caller can neutralise a test by passing it with modifier 0).
    /// </summary>
    public static Grade Grade(IReadOnlyList<ObservatoryTestResult> tests)
    {
        ArgumentNullException.ThrowIfNull(tests);

        var scoreWithExtraCredit = 100;
        var uncurvedScore = 100;
        foreach (var test in tests)
        {
            scoreWithExtraCredit += test.ScoreModifier;
            if (test.ScoreModifier < 0)
            {
                uncurvedScore += test.ScoreModifier;
            }
        }

        var score = uncurvedScore >= ObservatoryCharts.MinimumScoreForExtraCredit ? scoreWithExtraCredit : uncurvedScore;
        var (finalScore, letter) = ObservatoryCharts.GradeForScore(score);
        var modifiers = tests.Select(test => new ScoreModifier(test.Name, test.Result, test.ScoreModifier)).ToList();
        return new Grade(finalScore, uncurvedScore, letter, modifiers, ObservatoryRubric.Version);
    }
}
