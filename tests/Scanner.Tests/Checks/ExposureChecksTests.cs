using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class ExposureChecksTests
{
    [Fact]
    public void Git_head_with_a_ref_fails_critical_and_a_404_passes()
    {
        var exposed = ExposureChecks.GitHead(Build.Response(body: "ref: refs/heads/main\n"));
        Assert.False(exposed.Passed);
        Assert.Equal(Severity.Critical, exposed.Severity);
        Assert.Equal("SEC-01", exposed.ChecklistItem);
        Assert.False(ExposureChecks.GitHead(Build.Response(body: "0123456789abcdef0123456789abcdef01234567")).Passed);
        Assert.True(ExposureChecks.GitHead(Build.Response(404, "Not Found")).Passed);
        // A single-page app answers every path with its index page: 200, but not a git ref.
        Assert.True(ExposureChecks.GitHead(Build.Response(body: "<!doctype html><html></html>")).Passed);
    }

    [Fact]
    public void Dot_env_with_key_value_lines_fails_and_names_keys_not_values()
    {
        var exposed = ExposureChecks.DotEnv(Build.Response(body: "# secrets\nDB_PASSWORD=hunter2\nexport API_KEY=xyz\n"));
        Assert.False(exposed.Passed);
        Assert.Contains("DB_PASSWORD, API_KEY", exposed.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", exposed.Evidence, StringComparison.Ordinal);
        Assert.True(ExposureChecks.DotEnv(Build.Response(body: "<html><body>a=b</body></html>")).Passed);
    }

    [Fact]
    public void Appsettings_json_object_fails_and_html_passes()
    {
        var exposed = ExposureChecks.AppSettings(Build.Response(body: """{"ConnectionStrings":{"db":"Host=x;Password=y"}}"""));
        Assert.False(exposed.Passed);
        Assert.Equal("SEC-05", exposed.ChecklistItem);
        Assert.DoesNotContain("Password=y", exposed.Evidence, StringComparison.Ordinal);
        Assert.True(ExposureChecks.AppSettings(Build.Response(body: "<!doctype html>")).Passed);
        Assert.True(ExposureChecks.AppSettings(Build.Response(404)).Passed);
    }

    [Fact]
    public void Debug_pages_of_aspnetcore_and_django_fail_and_a_plain_404_passes()
    {
        var aspnet = ExposureChecks.DebugErrorPage(Build.Response(500, "<h1>An unhandled exception occurred while processing the request.</h1>"), null);
        Assert.False(aspnet.Passed);
        Assert.Contains("ASP.NET Core", aspnet.Evidence, StringComparison.Ordinal);
        var django = ExposureChecks.DebugErrorPage(Build.Response(404,
            "<p>Using the URLconf defined in <code>mysite.urls</code></p><p>you have <code>DEBUG = True</code></p>"), null);
        Assert.False(django.Passed);
        Assert.Equal("SEC-02", django.ChecklistItem);
        Assert.True(ExposureChecks.DebugErrorPage(Build.Response(404, "<h1>404 Not Found</h1>"), "<html>home</html>").Passed);
    }

    [Fact]
    public void Directory_listings_fail_and_ordinary_pages_pass()
    {
        var listing = Build.Response(body: "<html><head><title>Index of /assets/</title></head>", url: new Uri("https://example.test/assets/"));
        var forbidden = Build.Response(403, "Forbidden", new Uri("https://example.test/static/"));
        var finding = ExposureChecks.DirectoryListing([listing, forbidden]);
        Assert.False(finding.Passed);
        Assert.Equal("listing at /assets/", finding.Evidence);
        Assert.True(ExposureChecks.DirectoryListing([forbidden]).Passed);
        Assert.False(ExposureChecks.DirectoryListing([Build.Response(body: "<title>Directory listing for /files/</title>")]).Passed);
    }

    [Fact]
    public void Trace_echoing_the_request_fails_and_405_passes()
    {
        Assert.False(ExposureChecks.Trace(Build.Response(body: "TRACE / HTTP/1.1\r\nHost: example.test\r\n")).Passed);
        Assert.True(ExposureChecks.Trace(Build.Response(405)).Passed);
    }

    [Fact]
    public void Foreign_host_answered_2xx_fails_and_refusals_pass()
    {
        var answered = ExposureChecks.ForeignHostHeader(Build.Response(200));
        Assert.False(answered.Passed);
        Assert.Equal("SEC-03", answered.ChecklistItem);
        Assert.True(ExposureChecks.ForeignHostHeader(Build.Response(421)).Passed);
        Assert.True(ExposureChecks.ForeignHostHeader(Build.Response(400)).Passed);
        Assert.True(ExposureChecks.ForeignHostHeader(null).Passed);
        Assert.True(ExposureChecks.ForeignHostHeader(Build.Response(301, headers: ("Location", "https://example.test/"))).Passed);
        Assert.False(ExposureChecks.ForeignHostHeader(Build.Response(301, headers: ("Location", "https://scanner-probe.invalid/"))).Passed);
    }

    [Fact]
    public void Security_txt_needs_a_contact_and_an_expiry_not_past()
    {
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.True(ExposureChecks.SecurityTxt(Build.Response(body: "Contact: mailto:security@example.test\nExpires: 2027-06-01T00:00:00Z\n"), now).Passed);
        Assert.False(ExposureChecks.SecurityTxt(Build.Response(body: "Contact: mailto:security@example.test\nExpires: 2025-01-01T00:00:00Z\n"), now).Passed);
        Assert.False(ExposureChecks.SecurityTxt(Build.Response(body: "Expires: 2027-06-01T00:00:00Z\n"), now).Passed);
        var missing = ExposureChecks.SecurityTxt(Build.Response(404), now);
        Assert.False(missing.Passed);
        Assert.Equal("WEB-03", missing.ChecklistItem);
    }
}
