using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/referrer-policy.test.js.</summary>
public sealed class ReferrerPolicyTests
{
    [Theory]
    [InlineData("no-referrer")]
    [InlineData("same-origin")]
    [InlineData("strict-origin")]
    [InlineData("STRICT-ORIGIN")]
    [InlineData("strict-origin-when-cross-origin")]
    public void Private_referrer_header(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.ReferrerPolicyPrivate, result.Result);
        Assert.True(result.Http);
        Assert.False(result.Meta);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Private_referrer_meta_which_wins_over_the_header()
    {
        var fixture = new ObservatoryFixture("test_parse_http_equiv_headers_referrer1.html");
        var result = ReferrerPolicyTest.Run(fixture.Build());
        Assert.Equal(Expectation.ReferrerPolicyPrivate, result.Result);
        Assert.Equal("no-referrer, same-origin", result.Value);
        Assert.False(result.Http);
        Assert.True(result.Meta);
        Assert.True(result.Pass);

        fixture.Auto.Add("referrer-policy", "unsafe-url");
        result = ReferrerPolicyTest.Run(fixture.Build());
        Assert.Equal(Expectation.ReferrerPolicyPrivate, result.Result);
        Assert.Equal("unsafe-url, no-referrer, same-origin", result.Value);
        Assert.True(result.Http);
        Assert.True(result.Meta);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Missing()
    {
        var result = ReferrerPolicyTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.ReferrerPolicyNotImplemented, result.Result);
        Assert.True(result.Pass);
    }

    [Theory]
    [InlineData("whimsy", Expectation.ReferrerPolicyHeaderInvalid, false)]
    [InlineData("origin", Expectation.ReferrerPolicyUnsafe, false)]
    [InlineData("origin-when-cross-origin", Expectation.ReferrerPolicyUnsafe, false)]
    [InlineData("unsafe-url", Expectation.ReferrerPolicyUnsafe, false)]
    [InlineData("origin-when-cross-origin, no-referrer, unsafe-url", Expectation.ReferrerPolicyUnsafe, false)]
    [InlineData("no-referrer, unsafe-url", Expectation.ReferrerPolicyUnsafe, false)]
    [InlineData("no-referrer, whimsy", Expectation.ReferrerPolicyPrivate, true)]
    [InlineData("whimsy, whimsy1, whimsy2", Expectation.ReferrerPolicyHeaderInvalid, false)]
    public void Other_values(string value, string expected, bool pass)
    {
        var result = Run(value);

        Assert.Equal(expected, result.Result);
        Assert.Equal(pass, result.Pass);
    }

    private static ReferrerPolicyOutput Run(string value)
    {
        var fixture = new ObservatoryFixture();
        fixture.Auto.Add("Referrer-Policy", value);
        return ReferrerPolicyTest.Run(fixture.Build());
    }
}

/// <summary>Observatory's test/strict-transport-security.test.js.</summary>
public sealed class StrictTransportSecurityTests
{
    [Fact]
    public void Missing()
    {
        var result = StrictTransportSecurityTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.HstsNotImplemented, result.Result);
        Assert.False(result.Pass);
    }

    [Theory]
    [InlineData("includeSubDomains; preload")]
    [InlineData("max-age=15768000; includeSubDomains, max-age=15768000; includeSubDomains")]
    public void Header_invalid(string value)
    {
        var result = Run(value);

        Assert.Equal(Expectation.HstsHeaderInvalid, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void A_header_sent_twice_is_invalid()
    {
        // Node joins the two headers with ", ", which the test refuses.
        var fixture = new ObservatoryFixture();
        fixture.Https.Add("Strict-Transport-Security", "max-age=15768000");
        fixture.Https.Add("Strict-Transport-Security", "max-age=15768000");

        Assert.Equal(Expectation.HstsHeaderInvalid, StrictTransportSecurityTest.Run(fixture.Build()).Result);
    }

    [Fact]
    public void No_https()
    {
        var fixture = new ObservatoryFixture { HasHttps = false };
        fixture.Auto.Add("strict-transport-security", "max-age=15768000");
        fixture.Http.Add("strict-transport-security", "max-age=15768000");

        var result = StrictTransportSecurityTest.Run(fixture.Build());

        Assert.Equal(Expectation.HstsNotImplementedNoHttps, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void Invalid_cert()
    {
        var fixture = new ObservatoryFixture { HttpsVerified = false };
        fixture.Https.Add("strict-transport-security", "max-age=15768000; includeSubDomains; preload");

        var result = StrictTransportSecurityTest.Run(fixture.Build());

        Assert.Equal(Expectation.HstsInvalidCert, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void Max_age_too_low()
    {
        var result = Run("max-age=86400");

        Assert.Equal(Expectation.HstsImplementedMaxAgeLessThanSixMonths, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void Implemented()
    {
        var result = Run("max-age=15768000; includeSubDomains; preload");

        Assert.Equal(Expectation.HstsImplementedMaxAgeAtLeastSixMonths, result.Result);
        Assert.Equal(15768000, result.MaxAge);
        Assert.True(result.IncludeSubDomains);
        Assert.True(result.Preload);
        Assert.True(result.Pass);
    }

    [Theory]
    [InlineData("bugzilla.mozilla.org", Expectation.HstsPreloaded, true, true)]
    [InlineData("facebook.com", Expectation.HstsPreloaded, false, true)]
    [InlineData("dropboxusercontent.com", Expectation.HstsNotImplemented, false, false)]
    public void Preloaded(string hostname, string expected, bool includeSubDomains, bool preloaded)
    {
        // Entries as in Chromium's list for these hosts (dropboxusercontent.com is listed, but not as force-https).
        var fixture = new ObservatoryFixture
        {
            Hostname = hostname,
            PreloadList = new HstsPreloadList([new("mozilla.org", false), new("bugzilla.mozilla.org", true), new("facebook.com", false)]),
        };

        var result = StrictTransportSecurityTest.Run(fixture.Build());

        Assert.Equal(expected, result.Result);
        Assert.Equal(includeSubDomains, result.IncludeSubDomains);
        Assert.Equal(preloaded, result.Pass);
        Assert.Equal(preloaded, result.Preloaded);
    }

    private static StrictTransportSecurityOutput Run(string value)
    {
        var fixture = new ObservatoryFixture();
        fixture.Https.Add("strict-transport-security", value);
        return StrictTransportSecurityTest.Run(fixture.Build());
    }
}

/// <summary>Observatory's test/x-content-type-options.test.js.</summary>
public sealed class XContentTypeOptionsTests
{
    [Fact]
    public void Missing()
    {
        var result = XContentTypeOptionsTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.XContentTypeOptionsNotImplemented, result.Result);
        Assert.False(result.Pass);
    }

    [Theory]
    [InlineData("whimsy", Expectation.XContentTypeOptionsHeaderInvalid, false)]
    [InlineData("nosniff, nosniff", Expectation.XContentTypeOptionsHeaderInvalid, false)]
    [InlineData("nosniff", Expectation.XContentTypeOptionsNosniff, true)]
    [InlineData("nosniff ", Expectation.XContentTypeOptionsNosniff, true)]
    public void Values(string value, string expected, bool pass)
    {
        var fixture = new ObservatoryFixture();
        fixture.Auto.Add("x-content-type-options", value);

        var result = XContentTypeOptionsTest.Run(fixture.Build());

        Assert.Equal(expected, result.Result);
        Assert.Equal(pass, result.Pass);
    }
}

/// <summary>Observatory's test/x-frame-options.test.js.</summary>
public sealed class XFrameOptionsTests
{
    [Fact]
    public void Missing()
    {
        var result = XFrameOptionsTest.Run(new ObservatoryFixture("test_content_sri_no_scripts.html").Build());

        Assert.Equal(Expectation.XFrameOptionsNotImplemented, result.Result);
        Assert.False(result.Pass);
    }

    [Theory]
    [InlineData("whimsy", Expectation.XFrameOptionsHeaderInvalid, false)]
    [InlineData("SAMEORIGIN, SAMEORIGIN", Expectation.XFrameOptionsHeaderInvalid, false)]
    [InlineData("ALLOW-FROM https://mozilla.org", Expectation.XFrameOptionsAllowFromOrigin, true)]
    [InlineData("DENY", Expectation.XFrameOptionsSameoriginOrDeny, true)]
    [InlineData("DENY ", Expectation.XFrameOptionsSameoriginOrDeny, true)]
    public void Values(string value, string expected, bool pass)
    {
        var fixture = new ObservatoryFixture("test_content_sri_no_scripts.html");
        fixture.Auto.Add("x-frame-options", value);

        var result = XFrameOptionsTest.Run(fixture.Build());

        Assert.Equal(expected, result.Result);
        Assert.Equal(pass, result.Pass);
    }

    [Fact]
    public void Implemented_via_csp()
    {
        var fixture = new ObservatoryFixture("test_content_sri_no_scripts.html");
        fixture.Auto.Add("x-frame-options", "DENY");
        fixture.Auto.Add("content-security-policy", "frame-ancestors https://mozilla.org");

        var result = XFrameOptionsTest.Run(fixture.Build());

        Assert.Equal(Expectation.XFrameOptionsImplementedViaCsp, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Does_not_obey_x_frame_options_in_meta_tags()
    {
        var result = XFrameOptionsTest.Run(new ObservatoryFixture("test_parse_http_equiv_headers_x_frame_options.html").Build());

        Assert.Equal(Expectation.XFrameOptionsNotImplemented, result.Result);
        Assert.False(result.Pass);
    }
}

/// <summary>Observatory's test/cross-origin-resource-policy.test.js.</summary>
public sealed class CrossOriginResourcePolicyTests
{
    [Fact]
    public void Missing()
    {
        var result = CrossOriginResourcePolicyTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.CrossOriginResourcePolicyNotImplemented, result.Result);
        Assert.True(result.Pass);
    }

    [Theory]
    [InlineData("whimsy", Expectation.CrossOriginResourcePolicyHeaderInvalid, false)]
    [InlineData("same-site", Expectation.CrossOriginResourcePolicyImplementedWithSameSite, true)]
    [InlineData("same-origin", Expectation.CrossOriginResourcePolicyImplementedWithSameOrigin, true)]
    [InlineData("cross-origin", Expectation.CrossOriginResourcePolicyImplementedWithCrossOrigin, true)]
    public void Values(string value, string expected, bool pass)
    {
        var fixture = new ObservatoryFixture();
        fixture.Auto.Add("cross-origin-resource-policy", value);

        var result = CrossOriginResourcePolicyTest.Run(fixture.Build());

        Assert.Equal(expected, result.Result);
        Assert.Equal(pass, result.Pass);
    }
}

/// <summary>Observatory's test/cors.test.js.</summary>
public sealed class CorsTests
{
    [Fact]
    public void Not_implemented()
    {
        var result = CorsTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.CrossOriginResourceSharingNotImplemented, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Public_access()
    {
        var fixture = new ObservatoryFixture();
        fixture.Cors.Add("access-control-allow-origin", "*");

        var result = CorsTest.Run(fixture.Build());

        Assert.Equal(Expectation.CrossOriginResourceSharingImplementedWithPublicAccess, result.Result);
        Assert.Equal("*", result.Value);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Restricted_access()
    {
        var fixture = new ObservatoryFixture { CorsRequestOrigin = "https://http-observatory.security.mozilla.org" };
        fixture.Cors.Add("access-control-allow-origin", "https://mozilla.org");

        var result = CorsTest.Run(fixture.Build());

        Assert.Equal(Expectation.CrossOriginResourceSharingImplementedWithRestrictedAccess, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Universal_access()
    {
        var fixture = new ObservatoryFixture { CorsRequestOrigin = "https://http-observatory.security.mozilla.org" };
        fixture.Cors.Add("access-control-allow-origin", "https://http-observatory.security.mozilla.org");
        fixture.Cors.Add("access-control-allow-credentials", "true");

        var result = CorsTest.Run(fixture.Build());

        Assert.Equal(Expectation.CrossOriginResourceSharingImplementedWithUniversalAccess, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void A_real_scan_never_sees_the_preflight_origin()
    {
        var fixture = new ObservatoryFixture();
        fixture.Cors.Add("access-control-allow-origin", "https://http-observatory.security.mozilla.org");
        fixture.Cors.Add("access-control-allow-credentials", "true");

        Assert.Equal(Expectation.CrossOriginResourceSharingImplementedWithRestrictedAccess, CorsTest.Run(fixture.Build()).Result);
    }
}
