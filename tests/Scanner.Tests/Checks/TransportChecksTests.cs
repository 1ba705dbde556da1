using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class TransportChecksTests
{
    private static SiteResponses Redirects(params (string Url, int Status)[] hops) => new()
    {
        Hostname = "example.test",
        Http = Build.Response(url: new Uri(hops[^1].Url)),
        HttpRedirects = [.. hops.Select(hop => new RedirectHop(new Uri(hop.Url), hop.Status))],
    };

    [Fact]
    public void Redirect_to_https_on_the_same_host_passes()
    {
        var finding = TransportChecks.HttpsRedirect(Redirects(("http://example.test/", 301), ("https://example.test/", 200)));
        Assert.True(finding.Passed);
        Assert.Equal("SEC-04", finding.ChecklistItem);
    }

    [Fact]
    public void Redirect_to_another_host_first_fails()
    {
        var finding = TransportChecks.HttpsRedirect(Redirects(("http://example.test/", 301), ("https://www.example.test/", 200)));
        Assert.False(finding.Passed);
        Assert.Equal(Severity.High, finding.Severity);
    }

    [Fact]
    public void Plain_http_answering_200_fails()
    {
        var finding = TransportChecks.HttpsRedirect(Redirects(("http://example.test/", 200)));
        Assert.False(finding.Passed);
        Assert.Contains("200", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Hsts_two_years_with_subdomains_and_preload_passes_all_three()
    {
        const string value = "max-age=63072000; includeSubDomains; preload";
        var findings = TransportChecks.Hsts(Build.Response(headers: ("Strict-Transport-Security", value))).ToList();
        Assert.All(findings, finding => Assert.True(finding.Passed));
        Assert.Equal(["hsts-max-age", "hsts-include-subdomains", "hsts-preload"], findings.Select(finding => finding.Id));
        Assert.Equal($"Strict-Transport-Security: {value}", findings[0].Evidence);
    }

    [Fact]
    public void Hsts_from_a_response_whose_certificate_did_not_verify_fails_each_since_browsers_ignore_it()
    {
        var unverified = new ObservedResponse(Build.Page, 200, Build.Headers(("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")), false, null);

        var findings = TransportChecks.Hsts(unverified).ToList();

        Assert.Equal(["hsts-max-age", "hsts-include-subdomains", "hsts-preload"], findings.Select(finding => finding.Id));
        Assert.All(findings, finding =>
        {
            Assert.False(finding.Passed);
            Assert.EndsWith("the HTTPS certificate did not verify, so browsers ignore it", finding.Evidence, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Hsts_under_a_year_without_directives_fails_each()
    {
        // 31535999 is one second short of 365 days.
        var findings = TransportChecks.Hsts(Build.Response(headers: ("Strict-Transport-Security", "max-age=31535999"))).ToDictionary(f => f.Id);
        Assert.False(findings["hsts-max-age"].Passed);
        Assert.False(findings["hsts-include-subdomains"].Passed);
        Assert.False(findings["hsts-preload"].Passed);
    }

    [Fact]
    public void Hsts_of_exactly_one_year_passes()
    {
        var finding = TransportChecks.Hsts(Build.Response(headers: ("Strict-Transport-Security", "max-age=31536000"))).First();
        Assert.True(finding.Passed);
    }

    [Fact]
    public void No_https_response_fails_hsts()
    {
        Assert.All(TransportChecks.Hsts(null), finding => Assert.False(finding.Passed));
    }
}
