using System.Net;
using Scanner;
using Scanner.Checks;
using Scanner.Observatory;

namespace ReadinessAspire.Fuzz;

/// <summary>
/// Content-Security-Policy values a scanned site sends, one header per line (the first also as a &lt;meta&gt; policy in
/// the page): Observatory's parser (<see cref="CspParser"/>, null for an invalid policy), the checklist's
/// (<see cref="ContentSecurityPolicy"/>), and the tests that grade them (<see cref="CspTest"/> through the rubric,
/// <see cref="HeaderChecks"/>). None may throw: a site's header must never break its scan.
/// </summary>
internal static class CspTarget
{
    private const int MaxPolicies = 8;

    public static FuzzTarget Target { get; } = new(
        "csp",
        "scanner CSP parsing: Observatory's CspParser, ContentSecurityPolicy and the tests grading them; crash = any exception",
        Run,
        ["Scanner.dll", "AngleSharp.dll"]);

    private static void Run(byte[] input)
    {
        var policies = ScanInput.Latin1(input).Split('\n').Select(ScanInput.HeaderValue).OfType<string>().Take(MaxPolicies).ToList();

        _ = CspParser.Parse(policies);
        _ = CspParser.ParseMeta(policies);
        foreach (var policy in ContentSecurityPolicy.ParseAll(string.Join(", ", policies)))
        {
            _ = policy.AllowsUnsafeInlineScript;
            _ = policy.AllowsUnsafeEval;
            _ = policy.Effective("object-src", "default-src");
        }

        var headers = new HeaderCollection();
        headers.Add("Content-Type", "text/html; charset=utf-8");
        foreach (var policy in policies)
        {
            headers.Add("Content-Security-Policy", policy);
        }

        var meta = policies.Count > 0 ? $"<meta http-equiv=\"Content-Security-Policy\" content=\"{WebUtility.HtmlEncode(policies[0])}\">" : "";
        var page = $"<!DOCTYPE html><html><head>{meta}</head><body><script src=\"/app.js\"></script></body></html>";
        var retrieval = ScanInput.Retrieval(new ObservedResponse(ScanInput.Page, 200, headers, true, page), page);

        _ = ObservatoryRubric.Analyze(retrieval);
        _ = HeaderChecks.Check(retrieval).ToList();
    }
}
