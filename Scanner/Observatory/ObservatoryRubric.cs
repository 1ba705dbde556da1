namespace Scanner.Observatory;

/// <summary>MDN HTTP Observatory's ten tests and its grader (mdn/mdn-http-observatory 1.4.8), ported one to one.</summary>
public static class ObservatoryRubric
{
    public const string Version = "mdn-http-observatory 1.4.8, algorithm 4";

    /// <summary>Runs the ten tests on a retrieval and grades them as Observatory's scanner does.</summary>
    public static ObservatoryResult Analyze(SiteResponses responses) =>
        throw new NotImplementedException("ported by the Observatory work");
}
