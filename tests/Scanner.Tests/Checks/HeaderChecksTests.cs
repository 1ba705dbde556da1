using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class HeaderChecksTests
{
    private static Dictionary<string, Finding> Csp(string? policy) =>
        HeaderChecks.Csp(policy is null ? Build.Headers() : Build.Headers(("Content-Security-Policy", policy))).ToDictionary(finding => finding.Id);

    [Fact]
    public void Strict_csp_passes_every_csp_check()
    {
        var findings = Csp("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
        Assert.Equal(6, findings.Count);
        Assert.All(findings.Values, finding => Assert.True(finding.Passed));
    }

    [Fact]
    public void Missing_csp_fails_every_csp_check()
    {
        var findings = Csp(null);
        Assert.All(findings.Values, finding => Assert.False(finding.Passed));
        Assert.Equal("no Content-Security-Policy header", findings["csp-present"].Evidence);
    }

    [Fact]
    public void Unsafe_inline_in_default_src_fails_when_script_src_is_absent()
    {
        var findings = Csp("default-src 'self' 'unsafe-inline' 'unsafe-eval'");
        Assert.False(findings["csp-script-unsafe-inline"].Passed);
        Assert.False(findings["csp-script-unsafe-eval"].Passed);
    }

    [Fact]
    public void Script_src_overrides_default_src()
    {
        var findings = Csp("default-src 'self' 'unsafe-inline'; script-src 'self'");
        Assert.True(findings["csp-script-unsafe-inline"].Passed);
    }

    [Fact]
    public void Unsafe_inline_with_a_nonce_is_ignored_by_browsers_and_passes()
    {
        var findings = Csp("script-src 'nonce-abc123' 'unsafe-inline'");
        Assert.True(findings["csp-script-unsafe-inline"].Passed);
    }

    [Fact]
    public void Object_src_is_covered_by_default_src_none_only()
    {
        Assert.True(Csp("default-src 'none'")["csp-object-src"].Passed);
        Assert.False(Csp("default-src 'self'")["csp-object-src"].Passed);
        Assert.True(Csp("default-src 'self'; object-src 'none'")["csp-object-src"].Passed);
    }

    [Fact]
    public void Missing_base_uri_and_frame_ancestors_fail()
    {
        var findings = Csp("default-src 'none'");
        Assert.False(findings["csp-base-uri"].Passed);
        Assert.False(findings["csp-frame-ancestors"].Passed);
    }

    [Fact]
    public void Nosniff_passes_and_anything_else_fails()
    {
        Assert.True(HeaderChecks.XContentTypeOptions(Build.Headers(("X-Content-Type-Options", "nosniff"))).Passed);
        var missing = HeaderChecks.XContentTypeOptions(Build.Headers());
        Assert.False(missing.Passed);
        Assert.Equal("SEC-06", missing.ChecklistItem);
    }

    [Fact]
    public void Framing_is_restricted_by_x_frame_options_or_frame_ancestors()
    {
        Assert.True(HeaderChecks.Clickjacking(Build.Headers(("X-Frame-Options", "DENY"))).Passed);
        Assert.True(HeaderChecks.Clickjacking(Build.Headers(("Content-Security-Policy", "frame-ancestors 'self'"))).Passed);
        Assert.False(HeaderChecks.Clickjacking(Build.Headers(("X-Frame-Options", "ALLOW-FROM https://a.test"))).Passed);
        Assert.False(HeaderChecks.Clickjacking(Build.Headers()).Passed);
    }

    [Fact]
    public void Referrer_policy_private_values_pass_and_unsafe_url_fails()
    {
        var none = new Dictionary<string, IReadOnlyList<string>>();
        Assert.True(HeaderChecks.ReferrerPolicy(Build.Headers(("Referrer-Policy", "strict-origin-when-cross-origin")), none).Passed);
        Assert.False(HeaderChecks.ReferrerPolicy(Build.Headers(("Referrer-Policy", "unsafe-url")), none).Passed);
        Assert.False(HeaderChecks.ReferrerPolicy(Build.Headers(), none).Passed);
        var meta = new Dictionary<string, IReadOnlyList<string>> { ["referrer-policy"] = ["no-referrer"] };
        Assert.True(HeaderChecks.ReferrerPolicy(Build.Headers(), meta).Passed);
    }

    [Fact]
    public void Coop_same_origin_passes_and_unsafe_none_fails()
    {
        Assert.True(HeaderChecks.CrossOriginOpenerPolicy(Build.Headers(("Cross-Origin-Opener-Policy", "same-origin"))).Passed);
        var unsafeNone = HeaderChecks.CrossOriginOpenerPolicy(Build.Headers(("Cross-Origin-Opener-Policy", "unsafe-none")));
        Assert.False(unsafeNone.Passed);
        Assert.Equal("WEB-03", unsafeNone.ChecklistItem);
    }

    [Fact]
    public void Corp_any_valid_value_passes_and_absence_fails()
    {
        Assert.True(HeaderChecks.CrossOriginResourcePolicy(Build.Headers(("Cross-Origin-Resource-Policy", "same-site"))).Passed);
        Assert.False(HeaderChecks.CrossOriginResourcePolicy(Build.Headers()).Passed);
    }

    [Fact]
    public void Cors_wildcard_with_credentials_fails_on_the_preflight_too()
    {
        var page = Build.Response();
        var preflight = Build.Response(headers: [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]);
        Assert.False(HeaderChecks.CorsWildcardWithCredentials(page, preflight).Passed);
        Assert.True(HeaderChecks.CorsWildcardWithCredentials(Build.Response(headers: ("Access-Control-Allow-Origin", "*")), null).Passed);
    }

    [Fact]
    public void Reflected_origin_fails_high_with_credentials_medium_without()
    {
        var withCredentials = HeaderChecks.CorsReflectedOrigin(Build.Response(headers:
            [("Access-Control-Allow-Origin", HeaderChecks.ProbeOrigin), ("Access-Control-Allow-Credentials", "true")]));
        Assert.False(withCredentials.Passed);
        Assert.Equal(Severity.High, withCredentials.Severity);
        var without = HeaderChecks.CorsReflectedOrigin(Build.Response(headers: ("Access-Control-Allow-Origin", HeaderChecks.ProbeOrigin)));
        Assert.Equal(Severity.Medium, without.Severity);
        Assert.True(HeaderChecks.CorsReflectedOrigin(Build.Response(headers: ("Access-Control-Allow-Origin", "https://example.test"))).Passed);
    }

    [Fact]
    public void Server_with_a_version_fails_and_without_passes()
    {
        var versioned = HeaderChecks.VersionDisclosure(FindingCatalogue.ServerVersion, "Server", Build.Headers(("Server", "nginx/1.25.3")));
        Assert.False(versioned.Passed);
        Assert.Equal("Server: nginx/1.25.3", versioned.Evidence);
        Assert.True(HeaderChecks.VersionDisclosure(FindingCatalogue.ServerVersion, "Server", Build.Headers(("Server", "nginx"))).Passed);
        Assert.False(HeaderChecks.VersionDisclosure(FindingCatalogue.PoweredByVersion, "X-Powered-By", Build.Headers(("X-Powered-By", "PHP/8.2.1"))).Passed);
        Assert.True(HeaderChecks.VersionDisclosure(FindingCatalogue.PoweredByVersion, "X-Powered-By", Build.Headers()).Passed);
    }
}
