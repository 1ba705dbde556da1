using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/csp.test.js.</summary>
public sealed class CspTests
{
    [Fact]
    public void Missing()
    {
        var result = CspTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.CspNotImplemented, result.Result);
        Assert.Equal(0, result.NumPolicies);
        Assert.False(result.Pass);
    }

    [Theory]
    [InlineData("  ")]
    [InlineData("\r\n")]
    [InlineData("")]
    [InlineData("default-src 'none'; default-src 'none'")]
    [InlineData("default-src 'none'; img-src 'self'; default-src 'none'")]
    [InlineData("default-src 'none'; script-src 'strict-dynamic'")]
    [InlineData("defa")]
    public void Header_invalid(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspHeaderInvalid, result.Result);
        Assert.Equal(1, result.NumPolicies);
        Assert.False(result.Pass);
    }

    [Theory]
    [InlineData("default-src 'none'; script-src https://*")]
    [InlineData("default-src 'none'; script-src 'unsafe-inline'")]
    [InlineData("script-src 'unsafe-inline'")]
    [InlineData("script-src data:")]
    [InlineData("script-src http:")]
    [InlineData("script-src ftp:")]
    [InlineData("default-src 'unsafe-inline'")]
    [InlineData("default-src 'UNSAFE-INLINE'")]
    [InlineData("upgrade-insecure-requests")]
    [InlineData("script-src 'none'")]
    [InlineData("script-src https:")]
    [InlineData("script-src https://mozilla.org https:")]
    [InlineData("default-src https://mozilla.org https:")]
    [InlineData("default-src 'none'; script-src *")]
    [InlineData("default-src *; script-src *; object-src 'none'")]
    [InlineData("default-src 'none'; script-src 'none'; object-src *")]
    [InlineData("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'")]
    [InlineData("default-src 'none'; script-src 'unsafe-inline' http:")]
    [InlineData("object-src https:; script-src 'none'")]
    public void Unsafe_inline(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithUnsafeInline, result.Result);
        Assert.False(result.Pass);
        Assert.True(result.Flags!.UnsafeInline);
    }

    [Theory]
    [InlineData("default-src http://mozilla.org")]
    [InlineData("default-src 'none'; script-src http://mozilla.org")]
    [InlineData("default-src 'none'; script-src ftp://mozilla.org")]
    public void Insecure_scheme(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithInsecureScheme, result.Result);
        Assert.False(result.Pass);
        Assert.True(result.Flags!.InsecureSchemeActive);
    }

    [Theory]
    [InlineData("default-src 'none'; img-src http://mozilla.org")]
    [InlineData("default-src 'self'; img-src ftp:")]
    [InlineData("default-src 'self'; img-src http:")]
    [InlineData("default-src 'none'; img-src https:; media-src http://mozilla.org")]
    [InlineData("default-src 'none'; img-src http: https:; script-src 'self'; style-src 'self'")]
    [InlineData("default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'self'")]
    [InlineData("default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'unsafe-inline'")]
    public void Insecure_scheme_in_passive_content_only(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithInsecureSchemeInPassiveContentOnly, result.Result);
        Assert.True(result.Pass);
        Assert.True(result.Flags!.InsecureSchemePassive);
    }

    [Fact]
    public void Unsafe_eval()
    {
        var result = Run("default-src 'none'; script-src 'unsafe-eval'");

        Assert.Equal(Expectation.CspImplementedWithUnsafeEval, result.Result);
        Assert.Equal(["'unsafe-eval'"], result.Policy!["script-src"]);
        Assert.False(result.Pass);
        Assert.True(result.Flags!.UnsafeEval);
    }

    [Theory]
    [InlineData("object-src 'none'; script-src 'none'; style-src 'unsafe-inline'")]
    [InlineData("default-src 'none'; script-src https://mozilla.org; style-src 'unsafe-inline'")]
    [InlineData("default-src 'unsafe-inline'; script-src https://mozilla.org")]
    [InlineData("default-src 'none';;; ;;;style-src 'self' 'unsafe-inline'")]
    [InlineData("default-src 'none'; style-src data:")]
    [InlineData("default-src 'none'; style-src *")]
    [InlineData("default-src 'none'; style-src https:")]
    [InlineData("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'")]
    public void Unsafe_inline_in_style_src_only(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithUnsafeInlineInStyleSrcOnly, result.Result);
        Assert.True(result.Pass);
        Assert.True(result.Flags!.UnsafeInlineStyle);
    }

    [Theory]
    [InlineData("default-src https://mozilla.org")]
    [InlineData("default-src https://mozilla.org;;; ;;;script-src 'none'")]
    [InlineData("object-src 'none'; script-src https://mozilla.org; style-src https://mozilla.org; upgrade-insecure-requests;")]
    [InlineData("object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline'; style-src 'none'")]
    [InlineData("object-src 'none'; style-src 'self';script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='")]
    [InlineData("object-src 'none'; style-src 'self'; script-src 'unsafe-inline' 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA=''sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB='")]
    [InlineData("object-src 'none'; script-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'; style-src 'none'")]
    [InlineData("default-src https://mozilla.org; style-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'")]
    [InlineData("default-src https://mozilla.org; style-src 'unsafe-inline' 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'")]
    public void No_unsafe(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithNoUnsafe, result.Result);
        Assert.True(result.Pass);
    }

    [Theory]
    [InlineData("default-src")]
    [InlineData("default-src 'none'; script-src 'strict-dynamic' 'nonce-abc123' 'unsafe-inline'")]
    [InlineData("default-src 'none'; script-src https://mozilla.org; style-src https://mozilla.org; upgrade-insecure-requests;")]
    [InlineData("default-src 'none'; object-src https://mozilla.org")]
    public void No_unsafe_default_src_none(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithNoUnsafeDefaultSrcNone, result.Result);
        Assert.Equal(1, result.NumPolicies);
        Assert.True(result.Http);
        Assert.False(result.Meta);
        Assert.True(result.Pass);
        Assert.True(result.Flags!.DefaultNone);
    }

    [Theory]
    [InlineData("test_parse_http_equiv_headers_csp2.html", "default-src http:", 2, true, true)]
    [InlineData("test_parse_http_equiv_headers_csp1.html", null, 1, false, true)]
    [InlineData("test_parse_http_equiv_headers_csp_multiple_http_equiv1.html", null, 4, false, true)]
    [InlineData("test_parse_http_equiv_headers_csp1.html", "default-src 'none'", 2, true, true)]
    [InlineData("test_parse_http_equiv_headers_csp2.html", "default-src 'none'", 2, true, true)]
    [InlineData("test_parse_http_equiv_headers_csp1.html", "img-src 'none'", 2, true, true)]
    public void No_unsafe_default_src_none_with_meta_policies(string page, string? header, int policies, bool http, bool meta)
    {
        var fixture = new ObservatoryFixture(page);
        if (header is not null)
        {
            fixture.Auto.Add("Content-Security-Policy", header);
        }

        var result = CspTest.Run(fixture.Build());

        Assert.Equal(Expectation.CspImplementedWithNoUnsafeDefaultSrcNone, result.Result);
        Assert.Equal(policies, result.NumPolicies);
        Assert.Equal(http, result.Http);
        Assert.Equal(meta, result.Meta);
        Assert.True(result.Pass);
    }

    [Theory]
    [InlineData("default-src 'none'; script-src 'strict-dynamic' 'nonce-abc123'")]
    [InlineData("default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123'")]
    [InlineData("default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' https://*")]
    [InlineData("default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' 'unsafe-inline'")]
    public void Strict_dynamic(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.CspImplementedWithNoUnsafeDefaultSrcNone, result.Result);
        Assert.True(result.Flags!.StrictDynamic);
    }

    [Theory]
    [InlineData("default-src 'none'", false)]
    [InlineData("frame-ancestors *", false)]
    [InlineData("frame-ancestors http:", false)]
    [InlineData("frame-ancestors https:", false)]
    [InlineData("default-src *; frame-ancestors 'none'", true)]
    public void Anti_clickjacking(string value, bool expected) => Assert.Equal(expected, Run(value).Flags!.AntiClickjacking);

    [Theory]
    [InlineData("default-src 'none'; base-uri *; object-src *")]
    [InlineData("default-src 'none'; base-uri https:; object-src https:")]
    [InlineData("default-src *")]
    public void Unsafe_objects_and_insecure_base_uri(string value)
    {
        var flags = Run(value).Flags!;

        Assert.True(flags.InsecureBaseUri);
        Assert.True(flags.UnsafeObjects);
    }

    [Theory]
    [InlineData("default-src *; base-uri 'none'")]
    [InlineData("default-src 'none'; base-uri 'self'")]
    [InlineData("default-src 'none'; base-uri https://mozilla.org")]
    public void Secure_base_uri(string value) => Assert.False(Run(value).Flags!.InsecureBaseUri);

    [Theory]
    [InlineData("default-src * http: https: data: 'unsafe-inline' 'unsafe-eval'")]
    [InlineData("default-src 'none'; img-src http:")]
    [InlineData("default-src 'none' https://mozilla.org; img-src http://mozilla.org")]
    [InlineData("default-src https:; media-src http://mozilla.org; script-src http:")]
    public void Insecure_scheme_passive_flag(string value) => Assert.True(Run(value).Flags!.InsecureSchemePassive);

    [Theory]
    [InlineData("default-src *; form-action 'none'", false)]
    [InlineData("default-src *; form-action 'self'", false)]
    [InlineData("default-src 'none'; form-action 'self' https://mozilla.org", false)]
    [InlineData("form-action 'self' https://mozilla.org", false)]
    [InlineData("default-src *", true)]
    [InlineData("default-src 'none'", true)]
    [InlineData("form-action https:", true)]
    public void Insecure_form_action(string value, bool expected) => Assert.Equal(expected, Run(value).Flags!.InsecureFormAction);

    [Fact]
    public void Report_only()
    {
        var fixture = new ObservatoryFixture();
        fixture.Auto.Add("Content-Security-Policy-Report-Only", "default-src 'none'; report-to /_/csp-reports");

        Assert.Equal(Expectation.CspNotImplementedButReportingEnabled, CspTest.Run(fixture.Build()).Result);
    }

    [Fact]
    public void Ignores_frame_ancestors_in_http_equiv()
    {
        var fixture = new ObservatoryFixture("test_parse_http_equiv_headers_not_allowed.html");
        var result = CspTest.Run(fixture.Build());
        Assert.Equal(Expectation.CspNotImplemented, result.Result);
        Assert.False(result.Pass);

        fixture.Auto.Add("Content-Security-Policy", "frame-anchestors 'none'");
        result = CspTest.Run(fixture.Build());
        Assert.Equal(Expectation.CspImplementedWithUnsafeInline, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void Repeated_report_uri_passes_with_a_warning()
    {
        // csp.js: a passing policy with a repeated report-uri is reported as such.
        var result = Run("default-src 'none'; report-uri /a; report-uri /b");

        Assert.Equal(Expectation.CspImplementedButDuplicateDirectives, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Insecure_schemes_do_not_count_on_an_http_session()
    {
        var fixture = new ObservatoryFixture { SessionIsHttps = false };
        fixture.Auto.Add("Content-Security-Policy", "default-src 'none'; img-src http:");

        Assert.Equal(Expectation.CspImplementedWithNoUnsafeDefaultSrcNone, CspTest.Run(fixture.Build()).Result);
    }

    private static CspOutput Run(string policy)
    {
        var fixture = new ObservatoryFixture();
        fixture.Auto.Add("Content-Security-Policy", policy);
        return CspTest.Run(fixture.Build());
    }
}
