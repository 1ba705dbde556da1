using System.Security.Authentication;
using Scanner.Checks;
using Scanner.Grading;

namespace Scanner.Tests.Grading;

/// <summary>Hand-built scan reports for the comparison, report and CLI tests.</summary>
internal static class Sample
{
    public static ScanReport Report(int score = 80, string letter = "B+", IReadOnlyList<Finding>? findings = null, ScanProfile profile = ScanProfile.Web)
    {
        findings ??=
        [
            FindingCatalogue.HstsMaxAge.Pass("Strict-Transport-Security: max-age=63072000; includeSubDomains; preload"),
            FindingCatalogue.CspScriptUnsafeInline.Fail("Content-Security-Policy: script-src 'self' 'unsafe-inline'"),
            FindingCatalogue.ExposedGit.Fail("GET /.git/HEAD → 200 with a git ref (ref: refs/heads/main)"),
            FindingCatalogue.ServerVersion.Fail("Server: nginx/1.25.3"),
            FindingCatalogue.TraceMethod.Unchecked("TRACE /: HttpRequestException: connection reset"),
        ];
        var tests = Rubric.Tests(("content-security-policy", -20));
        var grade = new Grade(score, score, letter, [.. tests.Select(test => new ScoreModifier(test.Name, test.Result, test.ScoreModifier))], "test rubric");
        return new ScanReport(
            new ScanTarget(new Uri("https://example.test/"), profile),
            new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero),
            TimeSpan.FromSeconds(3.5),
            new ObservatoryResult(tests, grade),
            grade,
            ChecklistGrader.Grade(findings),
            findings,
            new TlsReport("example.test", 443, SslProtocols.Tls13, "TLS_AES_256_GCM_SHA384", false, false,
                new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), true, true, [], "CN=example.test", "CN=Test CA", null));
    }
}
