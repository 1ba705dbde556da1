using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using StaticHost.Assets;

namespace StaticHost.Tests;

public sealed class AssetPipelineTests : IDisposable
{
    private const string Index = """
        <!doctype html>
        <html lang="en">
        <head>
          <link rel="stylesheet" href="css/site.css">
          <script type="module" src="app.js"></script>
        </head>
        <body><img src="img/logo.png" alt=""></body>
        </html>
        """;

    private readonly TempWebRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Fingerprint_changes_when_content_changes_and_only_then()
    {
        WriteSite();
        var first = AssetPipeline.Build(_root.Path);
        var again = AssetPipeline.Build(_root.Path);

        _root.Write("css/site.css", "body { color: rebeccapurple; }");
        var changed = AssetPipeline.Build(_root.Path);

        Assert.Equal(Css(first).RequestPath, Css(again).RequestPath);
        Assert.Equal(first.Document.Identity.ETag, again.Document.Identity.ETag);

        Assert.NotEqual(Css(first).Fingerprint, Css(changed).Fingerprint);
        Assert.NotEqual(first.Document.Identity.ETag, changed.Document.Identity.ETag);
        Assert.Contains(Css(changed).RequestPath, Text(changed.Document), StringComparison.Ordinal);
        Assert.DoesNotContain(Css(first).RequestPath, Text(changed.Document), StringComparison.Ordinal);
        // Files that do not depend on the stylesheet keep their URL, so browsers keep their cached copy.
        Assert.Equal(Js(first, "app.js").RequestPath, Js(changed, "app.js").RequestPath);
    }

    [Fact]
    public void Fingerprint_is_the_short_sha256_of_the_served_bytes()
    {
        WriteSite();
        var catalog = AssetPipeline.Build(_root.Path);

        foreach (var asset in catalog.Assets)
        {
            var expected = Convert.ToHexStringLower(SHA256.HashData(asset.Identity.Content.Span))[..8];
            Assert.Equal(expected, asset.Fingerprint);
            Assert.EndsWith($".{expected}{Path.GetExtension(asset.SourcePath)}", asset.RequestPath, StringComparison.Ordinal);
            Assert.StartsWith("/assets/", asset.RequestPath, StringComparison.Ordinal);
            Assert.Equal(AssetPipeline.ImmutableCacheControl, asset.CacheControl);
        }

        Assert.Equal("/index.html", catalog.Document.RequestPath);
        Assert.Null(catalog.Document.Fingerprint);
        Assert.Equal("no-cache", catalog.Document.CacheControl);
    }

    [Fact]
    public void Changing_an_imported_module_changes_the_importers_fingerprint()
    {
        WriteSite();
        var before = AssetPipeline.Build(_root.Path);

        _root.Write("lib/format.js", "export const format = (s) => `[${s}]`;\n");
        var after = AssetPipeline.Build(_root.Path);

        Assert.NotEqual(Js(before, "lib/format.js").RequestPath, Js(after, "lib/format.js").RequestPath);
        Assert.NotEqual(Js(before, "app.js").RequestPath, Js(after, "app.js").RequestPath);
        Assert.Contains(Js(after, "app.js").RequestPath, Text(after.Document), StringComparison.Ordinal);
    }

    [Fact]
    public void References_are_rewritten_in_html_css_and_modules_and_others_are_left_alone()
    {
        WriteSite();
        var catalog = AssetPipeline.Build(_root.Path);
        var logo = catalog.Assets.Single(a => a.SourcePath == "img/logo.png").RequestPath;
        var format = Js(catalog, "lib/format.js").RequestPath;

        var html = Text(catalog.Document);
        Assert.Contains($"href=\"{Css(catalog).RequestPath}\"", html, StringComparison.Ordinal);
        Assert.Contains($"src=\"{Js(catalog, "app.js").RequestPath}\"", html, StringComparison.Ordinal);
        Assert.Contains($"src=\"{logo}\"", html, StringComparison.Ordinal);

        var css = Text(Css(catalog));
        Assert.Contains($"url(\"{logo}#shadow\")", css, StringComparison.Ordinal);
        Assert.Contains("url(https://cdn.example/app.js)", css, StringComparison.Ordinal);
        Assert.Contains("url(data:image/png;base64,AAAA)", css, StringComparison.Ordinal);
        Assert.Contains("url(missing.png)", css, StringComparison.Ordinal);

        var app = Text(Js(catalog, "app.js"));
        Assert.Contains($"from \"{format}\"", app, StringComparison.Ordinal);
        Assert.Contains($"import('{format}?v=1')", app, StringComparison.Ordinal);
        Assert.Contains("from \"lib/format.js\"", app, StringComparison.Ordinal); // bare specifier: not a file reference
        Assert.Contains("fetch(\"/api/checklists\")", app, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_without_references_are_served_byte_for_byte()
    {
        var bom = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("p { margin: 0 }\r\n")).ToArray();
        _root.Write("index.html", "<!doctype html><title>t</title>").Write("plain.css", bom);

        var asset = AssetPipeline.Build(_root.Path).Assets.Single();

        Assert.Equal(bom, asset.Identity.Content.ToArray());
    }

    [Fact]
    public void Compressed_variants_decompress_to_the_original_and_are_kept_only_when_smaller()
    {
        WriteSite();
        var catalog = AssetPipeline.Build(_root.Path);

        foreach (var asset in new[] { catalog.Document, Css(catalog), Js(catalog, "app.js") })
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

        // 41 bytes of JavaScript: gzip's header and trailer alone make it bigger.
        Assert.Null(Js(catalog, "lib/format.js").Gzip);
    }

    [Fact]
    public void Already_compressed_formats_get_no_variants()
    {
        WriteSite();
        var png = AssetPipeline.Build(_root.Path).Assets.Single(a => a.SourcePath == "img/logo.png");

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
        Assert.Equal("text/css; charset=utf-8", Css(catalog).ContentType);
        Assert.Equal("text/javascript; charset=utf-8", Js(catalog, "app.js").ContentType);
        Assert.Equal("image/png", catalog.Assets.Single(a => a.SourcePath == "img/logo.png").ContentType);
    }

    [Fact]
    public void Dot_files_and_unknown_types_are_not_served()
    {
        WriteSite();
        _root.Write(".secret.js", "export const key = 1;").Write("notes.unknownext", "x").Write(".git/config.css", "a{}");

        var catalog = AssetPipeline.Build(_root.Path);

        Assert.DoesNotContain(catalog.Assets, a => a.SourcePath.Contains(".secret", StringComparison.Ordinal));
        Assert.DoesNotContain(catalog.Assets, a => a.SourcePath.StartsWith(".git", StringComparison.Ordinal));
        Assert.DoesNotContain(catalog.Assets, a => a.SourcePath.EndsWith(".unknownext", StringComparison.Ordinal));
    }

    [Fact]
    public void Circular_references_fail_with_the_cycle_named()
    {
        _root.Write("index.html", "<script type=\"module\" src=\"a.js\"></script>")
            .Write("a.js", "import { b } from \"./b.js\";\nexport const a = 1;")
            .Write("b.js", "import { a } from \"./a.js\";\nexport const b = 2;");

        var error = Assert.Throws<InvalidOperationException>(() => AssetPipeline.Build(_root.Path));

        Assert.Contains("a.js -> b.js -> a.js", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_web_root_without_index_html_fails_fast()
    {
        _root.Write("app.js", "export {};");

        var error = Assert.Throws<DirectoryNotFoundException>(() => AssetPipeline.Build(_root.Path));

        Assert.Contains("index.html", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.js", "0123abcd", "/assets/app.0123abcd.js")]
    [InlineData("img/logo.svg", "0123abcd", "/assets/img/logo.0123abcd.svg")]
    [InlineData("lib/jquery.min.js", "0123abcd", "/assets/lib/jquery.min.0123abcd.js")]
    [InlineData("LICENSE", "0123abcd", "/assets/LICENSE.0123abcd")]
    public void Fingerprinted_paths_keep_folder_name_and_extension(string sourcePath, string fingerprint, string expected) =>
        Assert.Equal(expected, AssetPipeline.FingerprintedPath(sourcePath, fingerprint));

    private void WriteSite() => _root
        .Write("index.html", Index)
        .Write("css/site.css", """
            body { background: url("../img/logo.png#shadow") no-repeat; }
            .cdn { background: url(https://cdn.example/app.js); }
            .inline { background: url(data:image/png;base64,AAAA); }
            .gone { background: url(missing.png); }
            """)
        .Write("app.js", """
            import { format } from "./lib/format.js";
            import { other } from "lib/format.js";
            const lazy = () => import('./lib/format.js?v=1');
            export const load = () => fetch("/api/checklists").then((r) => r.json()).then(format);
            """)
        .Write("lib/format.js", "export const format = (s) => String(s);\n")
        .Write("img/logo.png", new byte[2048]); // compresses to almost nothing, so only the media type keeps it uncompressed

    private static StaticAsset Css(AssetCatalog catalog) => catalog.Assets.Single(a => a.SourcePath == "css/site.css");

    private static StaticAsset Js(AssetCatalog catalog, string sourcePath) => catalog.Assets.Single(a => a.SourcePath == sourcePath);

    private static string Text(StaticAsset asset) => Encoding.UTF8.GetString(asset.Identity.Content.Span);

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
