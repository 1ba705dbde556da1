namespace Scanner.Tests.EndToEnd;

/// <summary>One of Observatory's ten tests as a test expects it: the result string, its pass flag, and its modifier.</summary>
/// <param name="Name">The test's name (each Output class's static name).</param>
/// <param name="Result">The result string the analyzer should reach.</param>
/// <param name="Pass">Whether the analyzer's pass list (the expectation and the results it also accepts) contains it.</param>
/// <param name="Modifier">The result's modifier in src/grader/charts.js SCORE_TABLE, written out by the test.</param>
public sealed record ExpectedTest(string Name, string Result, bool Pass, int Modifier);

/// <summary>
/// Observatory's grading rule (src/scanner/index.js, src/grader/grader.js and charts.js), written out here so the
/// end-to-end tests derive the score and letter themselves instead of asking the code they check.
/// </summary>
public static class ExpectedObservatory
{
    /// <summary>charts.js MINIMUM_SCORE_FOR_EXTRA_CREDIT.</summary>
    public const int MinimumScoreForExtraCredit = 90;

    /// <summary>
    /// 100 plus every negative modifier; when that is at least 90, the positive modifiers are added too; the score is
    /// floored at 0 (not capped at 100) and the letter is charts.js GRADE_CHART's for the score rounded down to a
    /// multiple of 5 (100 at most).
    /// </summary>
    public static (int Score, int ScoreBeforeBonuses, string Letter) Grade(IEnumerable<ExpectedTest> tests)
    {
        var modifiers = tests.Select(test => test.Modifier).ToList();
        var withoutBonuses = 100 + modifiers.Where(modifier => modifier < 0).Sum();
        var score = withoutBonuses >= MinimumScoreForExtraCredit ? 100 + modifiers.Sum() : withoutBonuses;
        score = Math.Max(score, 0);
        return (score, withoutBonuses, Letter(Math.Min(score - (score % 5), 100)));
    }

    /// <summary>charts.js GRADE_CHART.</summary>
    private static string Letter(int key) => key switch
    {
        100 => "A+",
        95 or 90 => "A",
        85 => "A-",
        80 => "B+",
        75 or 70 => "B",
        65 => "B-",
        60 => "C+",
        55 or 50 => "C",
        45 => "C-",
        40 => "D+",
        35 or 30 => "D",
        25 => "D-",
        _ => "F",
    };

    /// <summary>The results as the report shows them, in ALL_TESTS order, for one equality assertion.</summary>
    public static IReadOnlyList<ExpectedTest> Seen(ObservatoryResult observatory) =>
        [.. observatory.Tests.Select(test => new ExpectedTest(test.Name, test.Result, test.Pass, test.ScoreModifier))];
}
