using System.Text;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using StaticHost.Assets;

namespace StaticHost.Tests;

public sealed class ContentNegotiationTests
{
    private static readonly StaticAsset Asset = new()
    {
        SourcePath = "assets/app-00000000.js",
        RequestPath = "/assets/app-00000000.js",
        ContentHash = "00000000",
        ContentType = "text/javascript; charset=utf-8",
        CacheControl = AssetPipeline.ImmutableCacheControl,
        Identity = Representation(null),
        Brotli = Representation("br"),
        Gzip = Representation("gzip"),
    };

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("br", "br")]
    [InlineData("BR", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, br", "br")]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("br;q=0.5, gzip;q=0.8, identity;q=0.9", null)]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("*", "br")]
    [InlineData("*;q=0.1, identity", null)]
    [InlineData("deflate", null)]
    [InlineData("identity;q=0, gzip;q=0.2", "gzip")]
    [InlineData("*;q=0", null)] // nothing acceptable: identity is sent rather than a 406
    public void Picks_the_best_acceptable_encoding(string? acceptEncoding, string? expected)
    {
        var chosen = ContentNegotiation.SelectRepresentation(Asset, new StringValues(acceptEncoding));

        Assert.Equal(expected, chosen.ContentEncoding);
    }

    [Fact]
    public void Without_variants_identity_is_sent_whatever_is_accepted()
    {
        var png = new StaticAsset
        {
            SourcePath = "a.png",
            RequestPath = "/assets/a.00000000.png",
            ContentHash = "00000000",
            ContentType = "image/png",
            CacheControl = AssetPipeline.ImmutableCacheControl,
            Identity = Representation(null),
        };

        Assert.Same(png.Identity, ContentNegotiation.SelectRepresentation(png, "br, gzip"));
    }

    [Theory]
    [InlineData("\"abc\"", true)]
    [InlineData("W/\"abc\"", true)]
    [InlineData("\"xyz\", \"abc\"", true)]
    [InlineData("*", true)]
    [InlineData("\"abcd\"", false)]
    [InlineData("\"ab\"", false)]
    [InlineData("abc", false)]
    [InlineData("", false)]
    public void If_none_match_uses_weak_comparison_over_the_list(string ifNoneMatch, bool matches) =>
        Assert.Equal(matches, ContentNegotiation.IfNoneMatchMatches(ifNoneMatch, new EntityTagHeaderValue("\"abc\"")));

    private static AssetRepresentation Representation(string? encoding) =>
        new(encoding, Encoding.UTF8.GetBytes(encoding ?? "identity"), new EntityTagHeaderValue($"\"{encoding ?? "identity"}\""));
}
