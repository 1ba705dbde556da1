namespace Scanner.Observatory;

/// <summary>Observatory's grader (src/grader): modifiers to a score, bonuses only from 90, score to letter.</summary>
public static class ObservatoryGrader
{
    /// <summary>Grades test results as scanner/index.js does; the modifiers come from the results.</summary>
    public static Grade Grade(IReadOnlyList<ObservatoryTestResult> tests) =>
        throw new NotImplementedException($"ported by the Observatory work {tests.Count}");
}
