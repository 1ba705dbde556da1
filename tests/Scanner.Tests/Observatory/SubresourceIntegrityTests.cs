using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/subresource-integrity.test.js (less "html-not-parseable", which only JSDOM produces).</summary>
public sealed class SubresourceIntegrityTests
{
    [Theory]
    [InlineData("test_content_sri_no_scripts.html", Expectation.SriNotImplementedButNoScriptsLoaded, true)]
    [InlineData("test_content_sri_sameorigin1.html", Expectation.SriNotImplementedButAllScriptsLoadedFromSecureOrigin, true)]
    [InlineData("test_content_sri_sameorigin3.html", Expectation.SriNotImplementedAndExternalScriptsNotLoadedSecurely, false)]
    [InlineData("test_content_sri_sameorigin2.html", Expectation.SriNotImplementedButAllScriptsLoadedFromSecureOrigin, true)]
    [InlineData("test_content_sri_impl_external_https1.html", Expectation.SriImplementedAndExternalScriptsLoadedSecurely, true)]
    [InlineData("test_content_sri_impl_external_https2.html", Expectation.SriImplementedAndExternalScriptsLoadedSecurely, true)]
    [InlineData("test_content_sri_impl_sameorigin.html", Expectation.SriImplementedAndAllScriptsLoadedSecurely, true)]
    [InlineData("test_content_sri_notimpl_external_https.html", Expectation.SriNotImplementedButExternalScriptsLoadedSecurely, false)]
    [InlineData("test_content_sri_impl_external_http.html", Expectation.SriImplementedButExternalScriptsNotLoadedSecurely, false)]
    [InlineData("test_content_sri_impl_external_noproto.html", Expectation.SriImplementedButExternalScriptsNotLoadedSecurely, false)]
    [InlineData("test_content_sri_notimpl_external_http.html", Expectation.SriNotImplementedAndExternalScriptsNotLoadedSecurely, false)]
    [InlineData("test_content_sri_notimpl_external_noproto.html", Expectation.SriNotImplementedAndExternalScriptsNotLoadedSecurely, false)]
    public void Pages(string page, string expected, bool pass)
    {
        var result = SubresourceIntegrityTest.Run(new ObservatoryFixture(page).Build());

        Assert.Equal(expected, result.Result);
        Assert.Equal(pass, result.Pass);
    }

    [Fact]
    public void Same_origin_with_a_404()
    {
        var fixture = new ObservatoryFixture("test_content_sri_sameorigin2.html") { AutoStatus = 404 };

        var result = SubresourceIntegrityTest.Run(fixture.Build());

        Assert.Equal(Expectation.SriNotImplementedButAllScriptsLoadedFromSecureOrigin, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Not_html()
    {
        var fixture = new ObservatoryFixture { Html = """{"foo": "bar"}""" };
        var headers = new HeaderCollection();
        headers.Add("content-type", "application/json");
        var responses = fixture.Responses() with { Auto = fixture.Responses().Auto! with { Headers = headers } };

        var result = SubresourceIntegrityTest.Run(new ObservatoryRequests(responses));

        Assert.Equal(Expectation.SriNotImplementedResponseNotHtml, result.Result);
        Assert.True(result.Pass);
    }
}
