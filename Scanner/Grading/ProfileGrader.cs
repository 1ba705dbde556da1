using Scanner.Checks;
using Scanner.Observatory;

namespace Scanner.Grading;

/// <summary>The grade for what the target is: Observatory's for a web page; for an API, Observatory's rubric without page-only penalties.</summary>
public static class ProfileGrader
{
    /// <summary>
    /// Observatory tests that judge how a browser renders an HTML page, which a JSON API never is:
    /// content-security-policy (which scripts a page may run), subresource-integrity (scripts and stylesheets the page loads),
    /// x-frame-options (whether the page may be framed) and referrer-policy (what links from the page leak).
    /// An API keeps every bonus it earns from them; only their penalties are neutral. HSTS, redirection, cookies,
    /// CORS, CORP and X-Content-Type-Options still count: an API's clients and its JSON face those risks too.
    /// </summary>
    public static IReadOnlySet<string> NeutralForApi { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "content-security-policy", "subresource-integrity", "x-frame-options", "referrer-policy",
    };

    public static Grade Grade(ScanProfile profile, ObservatoryResult observatory) =>
        Grade(profile, observatory, ObservatoryGrader.Grade);

    /// <summary>As <see cref="Grade(ScanProfile, ObservatoryResult)"/>, re-grading with <paramref name="grader"/> (tests pass a stand-in).</summary>
    public static Grade Grade(ScanProfile profile, ObservatoryResult observatory, Func<IReadOnlyList<ObservatoryTestResult>, Grade> grader) =>
        profile == ScanProfile.Api ? grader(NeutraliseForApi(observatory.Tests)) : observatory.Grade;

    /// <summary>The tests with each penalising page-only test's modifier set to 0 (its result and pass flag kept as seen).</summary>
    public static IReadOnlyList<ObservatoryTestResult> NeutraliseForApi(IReadOnlyList<ObservatoryTestResult> tests) =>
        [.. tests.Select(test => NeutralForApi.Contains(test.Name) && test.ScoreModifier < 0 ? test with { ScoreModifier = 0 } : test)];

    /// <summary>For an API, page-only findings (CSP, SRI, asset caching) become Info: reported, never counted.</summary>
    public static IReadOnlyList<Finding> ApplyProfile(ScanProfile profile, IReadOnlyList<Finding> findings) =>
        profile == ScanProfile.Api
            ? [.. findings.Select(finding => FindingCatalogue.PageOnly.Contains(finding.Id) ? finding with { Severity = Severity.Info } : finding)]
            : findings;
}
