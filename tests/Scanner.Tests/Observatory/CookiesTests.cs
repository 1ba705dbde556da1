using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/cookies.test.js, then tough-cookie's rules for what the jar keeps.</summary>
public sealed class CookiesTests
{
    [Fact]
    public void Detects_no_cookies_found()
    {
        var result = CookiesTest.Run(new ObservatoryFixture().Build());

        Assert.True(result.Pass);
        Assert.Equal(Expectation.CookiesNotFound, result.Result);
    }

    [Fact]
    public void Secure_with_httponly_sessions()
    {
        var result = Run(
            "SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly",
            "foo=bar; Domain=mozilla.org; Secure; Path=/",
            "heroku-session-affinity=bar; Domain=mozilla.org; Path=/");

        Assert.Equal(Expectation.CookiesSecureWithHttponlySessions, result.Result);
        Assert.False(result.SameSite);
    }

    [Fact]
    public void Secure_with_httponly_sessions_and_samesite()
    {
        var result = Run(
            "SESSIONID_SAMESITE_STRICT=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Strict",
            "SESSIONID_SAMESITE_LAX=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Lax",
            "SESSIONID_SAMESITE_NONE=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=None");

        Assert.Equal("strict", result.Cookies!["SESSIONID_SAMESITE_STRICT"].SameSite);
        Assert.Equal("lax", result.Cookies["SESSIONID_SAMESITE_LAX"].SameSite);
        Assert.Equal("none", result.Cookies["SESSIONID_SAMESITE_NONE"].SameSite);
        Assert.Equal(3, result.Cookies.Count);
        Assert.True(result.Pass);
        Assert.True(result.SameSite);
    }

    [Fact]
    public void Samesite_not_awarded_unless_every_cookie_has_it()
    {
        var result = Run(
            "SESSIONID_SAMESITE_STRICT=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Strict",
            "SESSIONID_SAMESITE_NO_SAMESITE=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly",
            "SESSIONID_SAMESITE_LAX=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Lax",
            "SESSIONID_SAMESITE_NONE=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=None");

        Assert.Null(result.Cookies!["SESSIONID_SAMESITE_NO_SAMESITE"].SameSite);
        Assert.Equal(4, result.Cookies.Count);
        Assert.True(result.Pass);
        Assert.False(result.SameSite);
    }

    [Fact]
    public void Anticsrf_without_samesite()
    {
        var result = Run("CSRFTOKEN=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly");

        Assert.Equal(Expectation.CookiesAnticsrfWithoutSamesiteFlag, result.Result);
        Assert.False(result.Pass);
        Assert.False(result.SameSite);
    }

    [Theory]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=")]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=True")]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Invalid")]
    public void Samesite_invalid(string cookie)
    {
        var result = Run(cookie);

        Assert.Equal(Expectation.CookiesSamesiteFlagInvalid, result.Result);
        Assert.False(result.Pass);
        Assert.False(result.SameSite);
    }

    [Theory]
    [InlineData("foo=bar; Domain=mozilla.org; Path=/", Expectation.CookiesWithoutSecureFlagButProtectedByHsts)]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/; HttpOnly", Expectation.CookiesSessionWithoutSecureFlagButProtectedByHsts)]
    public void No_secure_but_hsts(string cookie, string expected)
    {
        var fixture = new ObservatoryFixture().WithCookies(cookie);
        fixture.Https.Add("strict-transport-security", "max-age=15768000");

        var result = CookiesTest.Run(fixture.Build());

        Assert.Equal(expected, result.Result);
        Assert.False(result.Pass);
        Assert.False(result.SameSite);
    }

    [Theory]
    [InlineData("foo=bar; Domain=mozilla.org; Path=/", Expectation.CookiesWithoutSecureFlag)]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/; Secure", Expectation.CookiesSessionWithoutHttponlyFlag)]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/; HttpOnly", Expectation.CookiesSessionWithoutSecureFlag)]
    [InlineData("SESSIONID=bar; Domain=mozilla.org; Path=/", Expectation.CookiesSessionWithoutSecureFlag)]
    public void Insecure_cookies(string cookie, string expected)
    {
        var result = Run(cookie);

        Assert.Equal(expected, result.Result);
        Assert.False(result.Pass);
        Assert.False(result.SameSite);
    }

    // tough-cookie 5.1.2 (cookie/cookieJar.js setCookie) with the options http-cookie-agent passes; each case checked against tough-cookie itself.

    [Theory]
    [InlineData("a=1; Domain=example.org")]
    [InlineData("a=1; Domain=org")]
    [InlineData("a=1; Domain=co.uk")]
    [InlineData("=1")]
    [InlineData("a")]
    [InlineData("__Secure-a=1")]
    [InlineData("__Host-a=1; Secure; Path=/; Domain=mozilla.org")]
    [InlineData("__Host-a=1; Secure; Path=/docs")]
    [InlineData("__Host-a=1; Path=/")]
    public void The_jar_refuses(string cookie) => Assert.Empty(Jar(("https://www.mozilla.org/", cookie)));

    [Theory]
    [InlineData("a=1; Domain=.Mozilla.org", "mozilla.org", false)]
    [InlineData("a=1", "www.mozilla.org", true)]
    [InlineData("__Secure-a=1; Secure; Domain=mozilla.org", "mozilla.org", false)]
    [InlineData("__Host-a=1; Secure; Path=/", "www.mozilla.org", true)]
    [InlineData("__secure-a=1", "www.mozilla.org", true)]
    public void The_jar_accepts(string cookie, string domain, bool hostOnly)
    {
        var stored = Assert.Single(Jar(("https://www.mozilla.org/", cookie)));

        Assert.Equal(domain, stored.Domain);
        Assert.Equal(hostOnly, stored.HostOnly);
    }

    [Fact]
    public void A_secure_cookie_from_plain_http_is_kept() =>
        Assert.True(Assert.Single(Jar(("http://mozilla.org/", "a=1; Secure"))).Secure);

    [Fact]
    public void The_default_path_is_the_request_directory() =>
        Assert.Equal("/docs", Assert.Single(Jar(("https://mozilla.org/docs/page", "a=1; Path=docs"))).Path);

    [Fact]
    public void A_later_cookie_replaces_an_earlier_one_in_its_place()
    {
        var cookies = Jar(
            ("https://mozilla.org/", "a=1; Path=/"),
            ("https://mozilla.org/", "b=1; Path=/"),
            ("https://mozilla.org/", "a=2; Path=/; Secure"),
            ("https://mozilla.org/", "a=3; Path=/other"));

        Assert.Equal(["a=2", "b=1", "a=3"], cookies.Select(cookie => $"{cookie.Key}={cookie.Value}"));
    }

    [Fact]
    public void Robots_txt_cookies_count_only_after_an_unverified_certificate()
    {
        SiteResponses Responses(bool verified) => new ObservatoryFixture().Responses() with
        {
            Auto = new ObservedResponse(new Uri("https://mozilla.org/"), 200, new HeaderCollection(), verified, null),
            SetCookies =
            [
                new SetCookieHeader(new Uri("https://mozilla.org/"), "page=1"),
                new SetCookieHeader(new Uri("https://mozilla.org/robots.txt"), "robots=1"),
            ],
        };

        Assert.Equal(["page"], ObservatoryCookieJar.Store(Responses(verified: true)).Select(cookie => cookie.Key));
        Assert.Equal(["page", "robots"], ObservatoryCookieJar.Store(Responses(verified: false)).Select(cookie => cookie.Key));
    }

    private static CookiesOutput Run(params string[] cookies) => CookiesTest.Run(new ObservatoryFixture().WithCookies(cookies).Build());

    private static IReadOnlyList<JarCookie> Jar(params (string Url, string Cookie)[] headers) =>
        ObservatoryCookieJar.Store(headers.Select(header => (header.Cookie, new Uri(header.Url))));
}
