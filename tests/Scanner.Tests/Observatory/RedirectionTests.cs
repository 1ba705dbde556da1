using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/redirection.test.js.</summary>
public sealed class RedirectionTests
{
    [Fact]
    public void No_http_but_https()
    {
        var fixture = new ObservatoryFixture { HasHttp = false, HttpRedirects = [] };

        var result = RedirectionTest.Run(fixture.Build());

        Assert.Equal(Expectation.RedirectionNotNeededNoHttp, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Redirection_missing()
    {
        var result = Run(ObservatoryFixture.Hop("http://mozilla.org", 200));

        Assert.Equal(Expectation.RedirectionMissing, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void Redirection_not_to_https()
    {
        var result = Run(ObservatoryFixture.Hop("http://mozilla.org", 301), ObservatoryFixture.Hop("http://www.mozilla.org", 200));
        Assert.Equal(Expectation.RedirectionNotToHttps, result.Result);
        Assert.False(result.Pass);

        result = Run(
            ObservatoryFixture.Hop("http://mozilla.org", 301),
            ObservatoryFixture.Hop("http://www.mozilla.org", 302),
            ObservatoryFixture.Hop("http://www.mozilla.org/en/", 200));
        Assert.Equal(Expectation.RedirectionNotToHttps, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void Proper_redirection_to_https()
    {
        var result = RedirectionTest.Run(new ObservatoryFixture().Build());

        Assert.Equal(Expectation.RedirectionToHttps, result.Result);
        Assert.True(result.Pass);
    }

    [Fact]
    public void Proper_redirection_to_https_with_port_number()
    {
        var result = Run(ObservatoryFixture.Hop("http://mozilla.org/", 301), ObservatoryFixture.Hop("https://mozilla.org:8443/", 200));

        Assert.Equal(Expectation.RedirectionToHttps, result.Result);
        Assert.True(result.Pass);
        Assert.Equal(["http://mozilla.org/", "https://mozilla.org:8443/"], result.Route);
    }

    [Fact]
    public void First_redirection_to_http()
    {
        var result = Run(
            ObservatoryFixture.Hop("http://mozilla.org/", 301),
            ObservatoryFixture.Hop("http://www.mozilla.org/", 301),
            ObservatoryFixture.Hop("https://www.mozilla.org/", 200));

        Assert.Equal(Expectation.RedirectionNotToHttpsOnInitialRedirection, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void First_redirection_off_host()
    {
        var result = Run(ObservatoryFixture.Hop("http://mozilla.org/", 301), ObservatoryFixture.Hop("https://www.mozilla.org/", 200));

        Assert.Equal(Expectation.RedirectionOffHostFromHttp, result.Result);
        Assert.False(result.Pass);
    }

    [Fact]
    public void All_redirections_preloaded()
    {
        var fixture = new ObservatoryFixture
        {
            PreloadList = new HstsPreloadList([new("pokeinthe.io", true)]),
            HttpRedirects =
            [
                ObservatoryFixture.Hop("http://pokeinthe.io/", 301),
                ObservatoryFixture.Hop("https://pokeinthe.io/", 302),
                ObservatoryFixture.Hop("https://www.pokeinthe.io/", 302),
                ObservatoryFixture.Hop("https://baz.pokeinthe.io/foo", 200),
            ],
        };

        var result = RedirectionTest.Run(fixture.Build());

        Assert.Equal(Expectation.RedirectionAllRedirectsPreloaded, result.Result);
        Assert.True(result.Pass);
    }

    private static RedirectionOutput Run(params RedirectHop[] route) =>
        RedirectionTest.Run(new ObservatoryFixture { HttpRedirects = [.. route] }.Build());
}
