using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class PageAndCachingChecksTests
{
    private const string Html = """
        <html><head>
        <link rel="stylesheet" href="/css/site.3f9a1c2b.css">
        <link rel="stylesheet" href="https://cdn.example.net/lib.css" integrity="sha384-abc" crossorigin="anonymous">
        <script src="https://cdn.example.net/lib.js"></script>
        <script src="/js/app.js?v=Fo0Xd8Ldi3kQ"></script>
        </head><body><img src="/img/logo.png"></body></html>
        """;

    [Fact]
    public void Assets_are_read_and_resolved_against_the_page()
    {
        var assets = PageChecks.Assets(Html, Build.Page);
        Assert.Contains(assets, asset => asset.Url == new Uri("https://example.test/css/site.3f9a1c2b.css") && asset.Kind == PageAssetKind.Stylesheet);
        Assert.Contains(assets, asset => asset.Url == new Uri("https://example.test/img/logo.png") && asset.Kind == PageAssetKind.Other);
        Assert.Equal(5, assets.Count);
    }

    [Fact]
    public void Third_party_script_without_integrity_fails_sri()
    {
        var finding = PageChecks.SubresourceIntegrity(PageChecks.Assets(Html, Build.Page), Build.Page);
        Assert.False(finding.Passed);
        Assert.Equal("no integrity on https://cdn.example.net/lib.js", finding.Evidence);
    }

    [Fact]
    public void Third_party_code_with_integrity_passes_sri()
    {
        const string html = """<script src="https://cdn.example.net/a.js" integrity="sha384-x"></script><script src="/own.js"></script>""";
        var finding = PageChecks.SubresourceIntegrity(PageChecks.Assets(html, Build.Page), Build.Page);
        Assert.True(finding.Passed);
        Assert.Equal(Severity.Medium, finding.Severity);
    }

    [Theory]
    [InlineData("https://example.test/css/site.3f9a1c2b.css", true)]
    [InlineData("https://example.test/assets/index-BdKqX3f9.js", true)]
    [InlineData("https://example.test/js/app.js?v=Fo0Xd8Ldi3kQ", true)]
    [InlineData("https://example.test/js/main.0123456789abcdef0123.js", true)]
    [InlineData("https://example.test/js/jquery-3.7.1.min.js", false)]
    [InlineData("https://example.test/js/bootstrap.bundle.min.js", false)]
    [InlineData("https://example.test/img/logo.png", false)]
    public void Fingerprints_are_hash_like_name_segments(string url, bool fingerprinted) =>
        Assert.Equal(fingerprinted, CachingChecks.IsFingerprinted(new Uri(url)));

    [Fact]
    public void Only_same_origin_fingerprinted_assets_are_fetched()
    {
        var urls = CachingChecks.FingerprintedAssets(PageChecks.Assets(Html, Build.Page), Build.Page);
        Assert.Equal([new Uri("https://example.test/css/site.3f9a1c2b.css"), new Uri("https://example.test/js/app.js?v=Fo0Xd8Ldi3kQ")], urls);
    }

    [Fact]
    public void A_year_of_max_age_passes_and_immutable_is_noted()
    {
        var finding = CachingChecks.AssetCaching([Build.Response(url: new Uri("https://example.test/a.1234abcd.js"),
            headers: ("Cache-Control", "public, max-age=31536000, immutable"))]);
        Assert.True(finding.Passed);
        Assert.Contains("(immutable)", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal("MED-01", finding.ChecklistItem);
    }

    [Fact]
    public void A_short_max_age_fails_and_no_assets_is_not_applicable()
    {
        var finding = CachingChecks.AssetCaching([Build.Response(url: new Uri("https://example.test/a.1234abcd.js"),
            headers: ("Cache-Control", "max-age=3600"))]);
        Assert.False(finding.Passed);
        Assert.Equal(Severity.Info, CachingChecks.AssetCaching([]).Severity);
    }

    [Fact]
    public void Compressed_text_passes_and_large_uncompressed_text_fails()
    {
        var compressed = CachingChecks.Compression(Build.Response(headers: [("Content-Encoding", "br"), ("Content-Type", "text/html")]));
        Assert.True(compressed.Passed);
        Assert.Equal("WEB-02", compressed.ChecklistItem);
        var plain = CachingChecks.Compression(Build.Response(body: new string('x', 5000), headers: ("Content-Type", "text/html; charset=utf-8")));
        Assert.False(plain.Passed);
        var image = CachingChecks.Compression(Build.Response(headers: ("Content-Type", "image/png")));
        Assert.Equal(Severity.Info, image.Severity);
    }
}
