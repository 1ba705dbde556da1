using System.IO.Compression;
using System.Text;
using StaticHost.Assets;

namespace StaticHost.Tests;

public sealed class AssetPipelineTests : IDisposable
{
    private const string Index = """
        <!doctype html>
        <html lang="en">
        <head>
          <link rel="stylesheet" crossorigin href="/assets/style-Ab3_x-Yz.css" integrity="sha384-x">
          <script type="module" crossorigin src="/assets/index-BLqziXl_.js" integrity="sha384-y"></script>
        </head>
        <body><div id="app"></div></body>
        </html>
        """;

    private readonly TempWebRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Files_are_served_byte_for_byte_at_their_own_path()
    {
        WriteSite();
        var bom = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("p { margin: 0 }\r\n")).ToArray();
        _root.Write("assets/plain-00000000.css", bom);

        var catalog = AssetPipeline.Build(_root.Path);

        Assert.Equal(bom, catalog.Files.Single(f => f.SourcePath == "assets/plain-00000000.css").Identity.Content.ToArray());
        Assert.Equal(Encoding.UTF8.GetBytes(Index), catalog.Document.Identity.Content.ToArray());
        Assert.All(catalog.Files, file => Assert.Equal("/" + file.SourcePath, file.RequestPath));
        Assert.Equal("/index.html", catalog.Document.RequestPath);
    }

    [Fact]
    public void Content_hashed_assets_are_immutable_and_everything_else_is_revalidated()
    {
        WriteSite();
        var catalog = AssetPipeline.Build(_root.Path);

        var js = File(catalog, "assets/index-BLqziXl_.js");
        Assert.Equal("BLqziXl_", js.ContentHash);
        Assert.True(js.IsImmutable);
        Assert.Equal(AssetPipeline.ImmutableCacheControl, js.CacheControl);
        Assert.Equal("Ab3_x-Yz", File(catalog, "assets/style-Ab3_x-Yz.css").ContentHash);

        var robots = File(catalog, "robots.txt");
        Assert.Null(robots.ContentHash);
        Assert.Equal("no-cache", robots.CacheControl);
        Assert.Equal("no-cache", catalog.Document.CacheControl);
        Assert.Null(catalog.Document.ContentHash);
    }

    [Fact]
    public void A_file_under_assets_without_a_content_hash_fails_the_start()
    {
        WriteSite();
        _root.Write("assets/vendor/lib.js", "export {};");

        var error = Assert.Throws<InvalidOperationException>(() => AssetPipeline.Build(_root.Path));

        Assert.Contains("assets/vendor/lib.js", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("index-BLqziXl_.js", "BLqziXl_")]
    [InlineData("uPlot.min-Ab-dE_fG.css", "Ab-dE_fG")]
    [InlineData("my-lib-AbCd-fGh.js", "AbCd-fGh")]
    [InlineData("favicon-OodFjO19.svg", "OodFjO19")]
    [InlineData("index.js", null)]
    [InlineData("index-abc.js", null)]
    [InlineData("-BLqziXl_.js", null)]
    [InlineData("index-BLq!ziXl.js", null)]
    public void Content_hash_is_read_from_vites_file_names(string fileName, string? expected) =>
        Assert.Equal(expected, AssetPipeline.ContentHashOf(fileName));

    [Fact]
    public void Compressed_variants_decompress_to_the_original_and_are_kept_only_when_smaller()
    {
        WriteSite();
        var catalog = AssetPipeline.Build(_root.Path);

        foreach (var asset in new[] { catalog.Document, File(catalog, "assets/style-Ab3_x-Yz.css"), File(catalog, "assets/index-BLqziXl_.js") })
        {
            var original = asset.Identity.Content.ToArray();
            var brotli = Assert.IsType<AssetRepresentation>(asset.Brotli);
            var gzip = Assert.IsType<AssetRepresentation>(asset.Gzip);

            Assert.Equal("br", brotli.ContentEncoding);
            Assert.Equal("gzip", gzip.ContentEncoding);
            Assert.True(brotli.Content.Length < original.Length);
            Assert.True(gzip.Content.Length < original.Length);
            Assert.Equal(original, Decompress(new BrotliStream(new MemoryStream(brotli.Content.ToArray()), CompressionMode.Decompress)));
            Assert.Equal(original, Decompress(new GZipStream(new MemoryStream(gzip.Content.ToArray()), CompressionMode.Decompress)));
            Assert.Equal(3, new[] { asset.Identity.ETag, brotli.ETag, gzip.ETag }.Distinct().Count());
        }

        // 10 bytes of text: gzip's header and trailer alone make it bigger.
        Assert.Null(File(catalog, "robots.txt").Gzip);
    }

    [Fact]
    public void Already_compressed_formats_get_no_variants()
    {
        WriteSite();
        var png = File(AssetPipeline.Build(_root.Path), "assets/logo-Zz9_Yy8-.png");

        Assert.Null(png.Brotli);
        Assert.Null(png.Gzip);
        Assert.False(png.HasEncodedVariants);
    }

    [Fact]
    public void Content_types_carry_a_charset_for_text_only()
    {
        WriteSite();
        var catalog = AssetPipeline.Build(_root.Path);

        Assert.Equal("text/html; charset=utf-8", catalog.Document.ContentType);
        Assert.Equal("text/css; charset=utf-8", File(catalog, "assets/style-Ab3_x-Yz.css").ContentType);
        Assert.Equal("text/javascript; charset=utf-8", File(catalog, "assets/index-BLqziXl_.js").ContentType);
        Assert.Equal("image/png", File(catalog, "assets/logo-Zz9_Yy8-.png").ContentType);
    }

    [Fact]
    public void Dot_files_and_unknown_types_are_not_served()
    {
        WriteSite();
        _root.Write(".secret.js", "export const key = 1;").Write("notes.unknownext", "x").Write(".vite/manifest.json", "{}");

        var catalog = AssetPipeline.Build(_root.Path);

        Assert.DoesNotContain(catalog.Files, a => a.SourcePath.Contains(".secret", StringComparison.Ordinal));
        Assert.DoesNotContain(catalog.Files, a => a.SourcePath.StartsWith(".vite", StringComparison.Ordinal));
        Assert.DoesNotContain(catalog.Files, a => a.SourcePath.EndsWith(".unknownext", StringComparison.Ordinal));
    }

    [Fact]
    public void A_web_root_without_index_html_fails_fast()
    {
        _root.Write("assets/index-BLqziXl_.js", "export {};");

        var error = Assert.Throws<DirectoryNotFoundException>(() => AssetPipeline.Build(_root.Path));

        Assert.Contains("index.html", error.Message, StringComparison.Ordinal);
        Assert.Contains("npm run build", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_routes_are_embedded_and_include_the_pages_the_app_links_to()
    {
        var routes = ClientRoutes.Load();

        Assert.Contains("/", routes);
        Assert.Contains("/sign-in", routes);
        Assert.Contains("/reset-password", routes); // WebApi's password-reset emails link here.
        Assert.Contains("/services/{id}", routes);
        Assert.All(routes, route => Assert.StartsWith("/", route, StringComparison.Ordinal));
    }

    private void WriteSite() => _root
        .Write("index.html", Index)
        .Write("assets/style-Ab3_x-Yz.css", string.Concat(Enumerable.Repeat("body { margin: 0; padding: 0; font-family: system-ui, sans-serif; color: #111; }\n", 4)))
        .Write("assets/index-BLqziXl_.js", string.Concat(Enumerable.Repeat("const load = () => fetch(\"/api/services\").then((r) => r.json());\n", 4)))
        .Write("assets/logo-Zz9_Yy8-.png", new byte[2048]) // compresses to almost nothing, so only the media type keeps it uncompressed
        .Write("robots.txt", "User-agent: *\n");

    private static StaticAsset File(AssetCatalog catalog, string sourcePath) => catalog.Files.Single(a => a.SourcePath == sourcePath);

    private static byte[] Decompress(Stream decoder)
    {
        using (decoder)
        using (var output = new MemoryStream())
        {
            decoder.CopyTo(output);
            return output.ToArray();
        }
    }
}
