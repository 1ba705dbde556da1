using System.Security.Authentication;
using Scanner.Net;
using Scanner.Tests.Sites;

namespace Scanner.Tests.Net;

/// <summary>The client against the hardened nginx site (<see cref="TestSites.Hardened"/>), the test CA trusted.</summary>
public sealed class HardenedSiteTests(HardenedSiteFixture fixture) : IClassFixture<HardenedSiteFixture>
{
    private NginxSite Site => fixture.Site;

    [Fact]
    public async Task The_http_session_is_redirected_once_to_https_and_both_end_verified()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);

        Assert.Equal($"localhost:{Site.HttpsPort}", responses.Hostname);
        Assert.Equal([new RedirectHop(Site.HttpUrl, 301), new RedirectHop(Site.HttpsUrl, 200)], responses.HttpRedirects);
        Assert.Equal(responses.HttpRedirects, responses.HttpsRedirects);
        Assert.Equal((Site.HttpsUrl, 200, true), (responses.Http?.Url, responses.Http?.Status, responses.Http?.Verified));
        Assert.Equal((Site.HttpsUrl, 200, true), (responses.Https?.Url, responses.Https?.Status, responses.Https?.Verified));
        Assert.Same(responses.Https, responses.Auto);
        Assert.Contains(TestSites.HardenedScript, responses.PageText, StringComparison.Ordinal);
        Assert.Equal(responses.Auto?.Body, responses.PageText);
    }

    [Fact]
    public async Task The_page_carries_every_security_header_and_the_host_cookie()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);
        var headers = responses.Auto!.Headers;

        Assert.Equal(TestSites.HardenedStrictTransportSecurity, headers.Get("strict-transport-security"));
        Assert.Equal(TestSites.HardenedContentSecurityPolicy, headers.Get("content-security-policy"));
        Assert.Equal("nosniff", headers.Get("x-content-type-options"));
        Assert.Equal("DENY", headers.Get("x-frame-options"));
        Assert.Equal("no-referrer", headers.Get("referrer-policy"));
        Assert.Equal("same-origin", headers.Get("cross-origin-opener-policy"));
        Assert.Equal("same-origin", headers.Get("cross-origin-resource-policy"));
        Assert.Equal("nginx", headers.Get("server"));
        Assert.Equal("text/html; charset=utf-8", headers.Get("content-type"));
        Assert.Equal("gzip", headers.Get("content-encoding"));
        Assert.Equal([TestSites.HardenedCookie], headers.GetAll("set-cookie"));
        // Only the page sets a cookie: the redirect and robots.txt (404) set none.
        Assert.Equal([new SetCookieHeader(Site.HttpsUrl, TestSites.HardenedCookie)], responses.SetCookies);
    }

    [Fact]
    public async Task The_preflight_gets_no_cors_grant()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);

        Assert.Equal((Site.HttpsUrl, 405, true), (responses.Cors?.Url, responses.Cors?.Status, responses.Cors?.Verified));
        Assert.Null(responses.Cors?.Headers.Get("access-control-allow-origin"));
        Assert.Equal("nosniff", responses.Cors?.Headers.Get("x-content-type-options"));
    }

    [Fact]
    public async Task Without_the_test_CA_the_certificate_is_not_verified_but_the_scan_goes_on()
    {
        using var client = Site.CreateClient(trustTestCa: false);

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);

        Assert.Equal(200, responses.Auto?.Status);
        Assert.False(responses.Auto?.Verified);
        Assert.False(responses.Http?.Verified);
        Assert.False(responses.Cors?.Verified);
        Assert.Equal([new SetCookieHeader(Site.HttpsUrl, TestSites.HardenedCookie)], responses.SetCookies);
    }

    [Theory]
    [InlineData(TestSites.HardenedScript, "application/javascript")]
    [InlineData(TestSites.HardenedStylesheet, "text/css")]
    public async Task Fingerprinted_assets_are_immutable_and_compressed(string path, string contentType)
    {
        using var client = Site.CreateClient();

        var response = await client.SendAsync(HttpMethod.Get, new Uri(Site.HttpsUrl, path), null, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.Get("cache-control"));
        Assert.StartsWith(contentType, response.Headers.Get("content-type"), StringComparison.Ordinal);
        Assert.Equal(TestSites.HardenedStrictTransportSecurity, response.Headers.Get("strict-transport-security"));
        Assert.Equal("Accept-Encoding", response.Headers.Get("vary"));
        Assert.Equal("gzip", response.Headers.Get("content-encoding"));
        Assert.Contains("Padding so gzip_min_length is passed", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/.env")]
    [InlineData("/.git/HEAD")]
    [InlineData("/assets/")]
    public async Task Dotfiles_and_listings_are_not_found_and_still_carry_the_headers(string path)
    {
        using var client = Site.CreateClient();

        var response = await client.SendAsync(HttpMethod.Get, new Uri(Site.HttpsUrl, path), null, CancellationToken.None);

        Assert.True(response.Status is 403 or 404, $"{response.Status}");
        Assert.Equal(TestSites.HardenedContentSecurityPolicy, response.Headers.Get("content-security-policy"));
        Assert.DoesNotContain("must-not-be-served", response.Body ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_txt_is_served()
    {
        using var client = Site.CreateClient();

        var response = await client.SendAsync(HttpMethod.Get, new Uri(Site.HttpsUrl, "/.well-known/security.txt"), null, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain", response.Headers.Get("content-type"), StringComparison.Ordinal);
        Assert.Contains("Contact: mailto:", response.Body, StringComparison.Ordinal);
        Assert.Contains("Expires: ", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tls_probe_sees_a_modern_trusted_certificate_for_the_name_and_no_legacy_versions()
    {
        using var client = Site.CreateClient();

        var report = await client.ProbeTlsAsync("localhost", Site.HttpsPort, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Contains(report.Protocol, new SslProtocols?[] { SslProtocols.Tls13, SslProtocols.Tls12 });
        Assert.NotNull(report.CipherSuite);
        Assert.True(report.ChainTrusted, string.Join("; ", report.ChainProblems));
        Assert.Empty(report.ChainProblems);
        Assert.True(report.NameMatches);
        Assert.False(report.AcceptsTls10);
        Assert.False(report.AcceptsTls11);
        Assert.Equal("CN=localhost", report.Subject);
        Assert.Equal(TestCertificateAuthority.Shared.Subject, report.Issuer);
        Assert.InRange(report.DaysToExpiry(DateTimeOffset.UtcNow) ?? -1, 88, 90);
    }

    [Fact]
    public async Task The_tls_probe_by_address_matches_the_address_in_the_certificate()
    {
        using var client = Site.CreateClient();

        var report = await client.ProbeTlsAsync("127.0.0.1", Site.HttpsPort, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.True(report.ChainTrusted);
        Assert.True(report.NameMatches);
    }

    [Fact]
    public async Task Without_the_test_CA_the_chain_is_untrusted()
    {
        using var client = Site.CreateClient(trustTestCa: false);

        var report = await client.ProbeTlsAsync("localhost", Site.HttpsPort, CancellationToken.None);

        Assert.False(report.ChainTrusted);
        Assert.Contains(report.ChainProblems, problem => problem.StartsWith("PartialChain", StringComparison.Ordinal) || problem.StartsWith("UntrustedRoot", StringComparison.Ordinal));
        Assert.True(report.NameMatches);
    }

    [Fact]
    public async Task The_probe_of_the_plain_http_port_reports_an_error_not_an_exception()
    {
        using var client = Site.CreateClient();

        var report = await client.ProbeTlsAsync("localhost", Site.HttpPort, CancellationToken.None);

        Assert.NotNull(report.Error);
        Assert.Null(report.Protocol);
        Assert.False(report.AcceptsTls10);
        Assert.False(report.AcceptsTls11);
    }
}
