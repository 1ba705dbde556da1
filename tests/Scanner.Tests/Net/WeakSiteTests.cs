using System.Security.Authentication;
using Scanner.Net;
using Scanner.Tests.Sites;

namespace Scanner.Tests.Net;

/// <summary>The client against the weak nginx site (<see cref="TestSites.Weak"/>).</summary>
public sealed class WeakSiteTests(WeakSiteFixture fixture) : IClassFixture<WeakSiteFixture>
{
    private NginxSite Site => fixture.Site;

    [Fact]
    public async Task Plain_http_serves_the_page_and_https_answers_unverified()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);

        Assert.Equal([new RedirectHop(Site.HttpUrl, 200)], responses.HttpRedirects);
        Assert.Equal((Site.HttpUrl, 200, true), (responses.Http?.Url, responses.Http?.Status, responses.Http?.Verified));
        Assert.Equal((Site.HttpsUrl, 200, false), (responses.Https?.Url, responses.Https?.Status, responses.Https?.Verified));
        Assert.Same(responses.Https, responses.Auto);
        Assert.Contains("<script src=\"https://cdn.example.com/lib.js\"></script>", responses.PageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_discloses_versions_and_lacks_the_security_headers()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);
        var headers = responses.Auto!.Headers;

        Assert.Equal("nginx/1.22.1", headers.Get("server"));
        Assert.Equal(TestSites.WeakPoweredBy, headers.Get("x-powered-by"));
        Assert.Equal(TestSites.WeakContentSecurityPolicy, headers.Get("content-security-policy"));
        foreach (var missing in new[] { "strict-transport-security", "x-content-type-options", "x-frame-options", "referrer-policy", "cross-origin-opener-policy", "cross-origin-resource-policy", "access-control-allow-origin" })
        {
            Assert.False(headers.Contains(missing), missing);
        }

        Assert.Equal([new SetCookieHeader(Site.HttpsUrl, TestSites.WeakCookie)], responses.SetCookies);
    }

    [Fact]
    public async Task The_preflight_reflects_the_origin_with_credentials()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(Site.Target(), CancellationToken.None);

        Assert.Equal((Site.HttpsUrl, 204, false), (responses.Cors?.Url, responses.Cors?.Status, responses.Cors?.Verified));
        Assert.Equal(SiteClient.CorsOrigin, responses.Cors?.Headers.Get("access-control-allow-origin"));
        Assert.Equal("true", responses.Cors?.Headers.Get("access-control-allow-credentials"));
    }

    [Fact]
    public async Task The_http_session_alone_gets_the_cookie_over_plain_http()
    {
        using var client = Site.CreateClient();

        var responses = await client.RetrieveAsync(new ScanTarget(Site.HttpUrl, HttpPort: Site.HttpPort, HttpsPort: Site.HttpsPort), CancellationToken.None);

        Assert.Equal([TestSites.WeakCookie], responses.Http?.Headers.GetAll("set-cookie"));
        Assert.Equal(TestSites.WeakCookie, responses.SetCookies.Single().Value);
    }

    [Theory]
    [InlineData("/.git/HEAD", "ref: refs/heads/main")]
    [InlineData("/.env", "DB_PASSWORD=hunter2")]
    [InlineData("/appsettings.json", "\"ConnectionStrings\"")]
    [InlineData("/files/", "backup-2024-01-01.sql")]
    public async Task Secrets_and_listings_are_served(string path, string content)
    {
        using var client = Site.CreateClient();

        var response = await client.SendAsync(HttpMethod.Get, new Uri(Site.HttpUrl, path), null, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.Contains(content, response.Body ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_are_not_cached_or_compressed_and_there_is_no_security_txt()
    {
        using var client = Site.CreateClient();
        var headers = new Dictionary<string, string> { ["Accept-Encoding"] = "gzip" };

        var asset = await client.SendAsync(HttpMethod.Get, new Uri(Site.HttpUrl, "/assets/app.js"), headers, CancellationToken.None);
        var securityTxt = await client.SendAsync(HttpMethod.Get, new Uri(Site.HttpUrl, "/.well-known/security.txt"), null, CancellationToken.None);

        Assert.Equal("no-cache", asset.Headers.Get("cache-control"));
        Assert.False(asset.Headers.Contains("vary"));
        Assert.False(asset.Headers.Contains("content-encoding"));
        Assert.Equal(404, securityTxt.Status);
    }

    [Fact]
    public async Task The_tls_probe_sees_legacy_versions_and_an_expired_self_signed_certificate_for_another_name()
    {
        using var client = Site.CreateClient();

        var report = await client.ProbeTlsAsync("localhost", Site.HttpsPort, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Equal(SslProtocols.Tls12, report.Protocol);
        Assert.True(report.AcceptsTls10);
        Assert.True(report.AcceptsTls11);
        Assert.False(report.ChainTrusted);
        Assert.False(report.NameMatches);
        Assert.Contains(report.ChainProblems, problem => problem.StartsWith("NotTimeValid", StringComparison.Ordinal));
        Assert.Contains(report.ChainProblems, problem => problem.StartsWith("UntrustedRoot", StringComparison.Ordinal));
        Assert.Equal($"CN={TestSites.WeakCertificateName}", report.Subject);
        Assert.Equal(report.Subject, report.Issuer);
        Assert.True(report.DaysToExpiry(DateTimeOffset.UtcNow) < 0);
    }
}
