using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace StaticHost.Tests;

/// <summary>Asserts over real HTTP against StaticHost's build output (the client app as Vite built it) running in Production.</summary>
public sealed partial class StaticHostHttpTests(StaticHostServer server) : IClassFixture<StaticHostServer>, IDisposable
{
    private const string OneYearImmutable = "public, max-age=31536000, immutable";

    private readonly HttpClient _client = server.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Index_is_html_with_no_cache_a_strong_etag_and_a_strict_csp()
    {
        using var response = await SendAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag.IsWeak);
        AssertStrictPolicy(response);
    }

    [Fact]
    public async Task Index_references_content_hashed_urls_only()
    {
        var references = await GetIndexReferencesAsync();

        Assert.Contains(references, r => r.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(references, r => r.EndsWith(".css", StringComparison.Ordinal));
        Assert.All(references, r => Assert.Matches(HashedUrl(), r));
    }

    [Fact]
    public async Task Index_has_no_inline_script_or_style()
    {
        var html = await _client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\sstyle\s*=", html);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Every_script_and_stylesheet_carries_the_sha384_of_the_bytes_served(string acceptEncoding)
    {
        var html = await _client.GetStringAsync(new Uri("/", UriKind.Relative));
        var tags = Subresource().Matches(html).Select(m => m.Value)
            .Where(tag => tag.StartsWith("<script", StringComparison.Ordinal) || Regex.IsMatch(tag, """\brel="(?:stylesheet|modulepreload|preload)"""))
            .ToList();

        Assert.Contains(tags, t => t.StartsWith("<script", StringComparison.Ordinal));
        Assert.Contains(tags, t => t.Contains("stylesheet", StringComparison.Ordinal));
        foreach (var tag in tags)
        {
            var url = Attribute(tag, "src") ?? Attribute(tag, "href");
            Assert.NotNull(url);
            var integrity = Attribute(tag, "integrity");
            Assert.True(integrity is not null, $"{tag} has no integrity attribute");
            Assert.StartsWith("sha384-", integrity, StringComparison.Ordinal);
            Assert.NotNull(Attribute(tag, "crossorigin"));

            // SRI hashes the body after content decoding: the same whichever encoding the server picks.
            using var response = await SendAsync(url, acceptEncoding);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            var encoding = response.Content.Headers.ContentEncoding.SingleOrDefault();
            Assert.Equal(acceptEncoding == "identity" ? null : acceptEncoding, encoding);
            var decoded = encoding is null ? body : Decompress(encoding, body);
            Assert.Equal(integrity, "sha384-" + Convert.ToBase64String(SHA384.HashData(decoded)));
        }
    }

    [Fact]
    public async Task Nothing_is_loaded_from_another_origin()
    {
        var references = await GetIndexReferencesAsync();
        Assert.NotEmpty(references);
        Assert.All(references, url => Assert.Matches("^/(?!/)", url));

        foreach (var css in references.Where(r => r.EndsWith(".css", StringComparison.Ordinal)))
        {
            var source = await _client.GetStringAsync(new Uri(css, UriKind.Relative));
            Assert.All(CssReference().Matches(source).Select(m => m.Groups["url"].Value), url => Assert.Matches("^/(?!/)", url));
        }

        // The app is one module that imports nothing: index.html's integrity hash vouches for all of its code.
        foreach (var js in references.Where(r => r.EndsWith(".js", StringComparison.Ordinal)))
        {
            var source = await _client.GetStringAsync(new Uri(js, UriKind.Relative));
            Assert.DoesNotMatch(@"\bimport\s*\(|\bimport\s*[""'`{*]|\bfrom\s*[""'`]", source);
        }
    }

    [Fact]
    public async Task Content_hashed_assets_are_cached_for_a_year()
    {
        foreach (var url in await GetIndexReferencesAsync())
        {
            using var response = await SendAsync(url, acceptEncoding: "identity");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(OneYearImmutable, response.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal(ExpectedMediaType(url), response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.ETag);
        }
    }

    [Theory]
    [InlineData("/sign-in")]
    [InlineData("/services")]
    [InlineData("/services/new")]
    [InlineData("/services/0b1c3a52-6f0e-4b7e-9a51-2f3c4d5e6f70")]
    [InlineData("/services/0b1c3a52-6f0e-4b7e-9a51-2f3c4d5e6f70/scans/12")]
    [InlineData("/teams")]
    [InlineData("/index.html")]
    public async Task Client_routes_serve_the_document(string path)
    {
        var document = await GetBytesAsync("/", "identity");

        using var response = await SendAsync(path, "identity", request => request.Headers.Accept.ParseAdd("text/html"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal(document, await response.Content.ReadAsByteArrayAsync());
        AssertStrictPolicy(response);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/services/1/unknown")]
    [InlineData("/services/1/report.v2")]
    [InlineData("/report.pdf")]
    public async Task A_page_that_does_not_exist_is_the_document_with_404(string path)
    {
        var document = await GetBytesAsync("/", "identity");

        using var response = await SendAsync(path, "identity", request => request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(document, await response.Content.ReadAsByteArrayAsync());
        AssertStrictPolicy(response);
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("br;q=0, gzip;q=0", null)]
    [InlineData("identity", null)]
    public async Task Precompressed_variants_follow_accept_encoding_and_decompress_to_the_original(string acceptEncoding, string? expectedEncoding)
    {
        var urls = (await GetIndexReferencesAsync()).Where(r => !r.EndsWith(".png", StringComparison.Ordinal)).Prepend("/");
        foreach (var url in urls)
        {
            var original = await GetBytesAsync(url, "identity");

            using var response = await SendAsync(url, acceptEncoding);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);

            if (expectedEncoding is null)
            {
                Assert.Empty(response.Content.Headers.ContentEncoding);
                Assert.Equal(original, body);
                continue;
            }

            Assert.Equal(expectedEncoding, Assert.Single(response.Content.Headers.ContentEncoding));
            Assert.True(body.Length < original.Length, $"{url}: {expectedEncoding} body is not smaller than the original");
            Assert.Equal(original, Decompress(expectedEncoding, body));
            Assert.NotEqual(await GetETagAsync(url, "identity"), response.Headers.ETag);
        }
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task If_none_match_with_the_current_etag_gives_304_and_any_other_gives_200(string acceptEncoding)
    {
        var urls = (await GetIndexReferencesAsync()).Prepend("/");
        foreach (var url in urls)
        {
            var etag = await GetETagAsync(url, acceptEncoding);

            using var notModified = await SendAsync(url, acceptEncoding, request => request.Headers.IfNoneMatch.Add(etag));
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag);
            Assert.NotNull(notModified.Headers.CacheControl);

            using var weak = await SendAsync(url, acceptEncoding, request =>
                request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag, isWeak: true)));
            Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode);

            using var modified = await SendAsync(url, acceptEncoding, request =>
                request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0123456789abcdef\"")));
            Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
            Assert.NotEmpty(await modified.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Head_sends_the_headers_of_get_without_a_body()
    {
        var url = (await GetIndexReferencesAsync()).First(r => r.EndsWith(".css", StringComparison.Ordinal));
        var original = await GetBytesAsync(url, "identity");

        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(original.Length, response.Content.Headers.ContentLength);
        Assert.Equal(OneYearImmutable, response.Headers.CacheControl?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/app.js")]
    [InlineData("/app.css")]
    [InlineData("/assets/")]
    [InlineData("/assets/app.00000000.js")]
    [InlineData("/assets/index-00000000.js")]
    [InlineData("/assets/app.js")]
    [InlineData("/api/checklists")]
    public async Task Unknown_paths_are_404(string path)
    {
        using var response = await SendAsync(path, configure: request =>
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_post_to_an_unknown_path_with_cookies_is_404_not_an_antiforgery_failure()
    {
        using var response = await SendAsync("/nope", configure: request =>
        {
            request.Method = HttpMethod.Post;
            request.Headers.Add("Cookie", "a=b");
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task No_response_carries_a_server_header_and_all_are_nosniff()
    {
        var paths = (await GetIndexReferencesAsync()).Concat(["/", "/index.html", "/nope", "/health/live", "/health/ready"]);
        foreach (var path in paths)
        {
            using var response = await SendAsync(path);

            Assert.False(response.Headers.Contains("Server"), $"{path} has a Server header: {response.Headers.Server}");
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_healthy(string path)
    {
        using var response = await SendAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Security_txt_names_a_contact_and_expires_months_from_now()
    {
        using var response = await SendAsync("/.well-known/security.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var fields = (await response.Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(": ", 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        Assert.Equal($"mailto:security@{server.BaseAddress.Host}", fields["Contact"]);
        var expires = DateTimeOffset.Parse(fields["Expires"], System.Globalization.CultureInfo.InvariantCulture);
        // RFC 9116 wants less than a year; a month at least keeps it from lapsing between deployments.
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddDays(365));
        Assert.EndsWith("/.well-known/security.txt", fields["Canonical"], StringComparison.Ordinal);
    }

    /// <summary>Exactly these directives: nothing inline, no eval, no other origin, Trusted Types enforced.</summary>
    private static void AssertStrictPolicy(HttpResponseMessage response)
    {
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "", StringComparer.Ordinal);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["default-src"] = "'none'",
                ["script-src"] = "'self'",
                ["style-src"] = "'self'",
                ["img-src"] = "'self'",
                ["connect-src"] = "'self'",
                ["object-src"] = "'none'",
                ["base-uri"] = "'none'",
                ["form-action"] = "'none'",
                ["frame-ancestors"] = "'none'",
                ["require-trusted-types-for"] = "'script'",
                ["trusted-types"] = "sanitized-html",
            },
            directives);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string? acceptEncoding = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        configure?.Invoke(request);
        return await _client.SendAsync(request);
    }

    private async Task<byte[]> GetBytesAsync(string path, string acceptEncoding)
    {
        using var response = await SendAsync(path, acceptEncoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<EntityTagHeaderValue> GetETagAsync(string path, string acceptEncoding)
    {
        using var response = await SendAsync(path, acceptEncoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag);
    }

    /// <summary>The subresources of the served index.html.</summary>
    private async Task<List<string>> GetIndexReferencesAsync()
    {
        var html = await _client.GetStringAsync(new Uri("/", UriKind.Relative));
        return [.. HtmlReference().Matches(html)
            .Select(m => m.Groups["url"].Value)
            .Distinct(StringComparer.Ordinal)];
    }

    private static string ExpectedMediaType(string url) => Path.GetExtension(url) switch
    {
        ".js" => "text/javascript",
        ".css" => "text/css",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        var other => throw new InvalidOperationException($"No expected media type for '{other}'."),
    };

    private static byte[] Decompress(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $"""\s{name}(?:="(?<value>[^"]*)")?(?=[\s>/])""");
        return match.Success ? match.Groups["value"].Value : null;
    }

    /// <summary>Vite's names: <c>/assets/index-BLqziXl_.js</c>, the hash being 8 characters of URL-safe base64.</summary>
    [GeneratedRegex("""^/assets/(?:[\w.-]+/)*[\w.-]+-(?<hash>[A-Za-z0-9_-]{8})\.[a-z0-9]+$""")]
    private static partial Regex HashedUrl();

    /// <summary>What the page loads: a script's src, a link's href (stylesheet, icon), an image's src. Not its links to pages.</summary>
    [GeneratedRegex("""<(?:script|link|img)\b[^>]*?\b(?:src|href)="(?<url>[^"]*)""")]
    private static partial Regex HtmlReference();

    [GeneratedRegex("""<(?:script|link)\b[^>]*>""")]
    private static partial Regex Subresource();

    [GeneratedRegex("""\burl\(\s*["']?(?<url>[^"')\s]+)|@import\s+["'](?<url>[^"']+)""")]
    private static partial Regex CssReference();
}
