using System.Net;
using System.Text.RegularExpressions;

namespace WebApi.Tests.OpenApi;

/// <summary>Scalar's page as a browser gets it: its policy's nonce, which every script tag carries, and the assets it loads.</summary>
internal sealed partial record ReferencePage(string Nonce, IReadOnlyList<Uri> Assets)
{
    // WebApi's OpenApiExtensions.ReferencePath and DocumentPath, written out: AppHost.Tests links this file and cannot reference WebApi.
    public const string PagePath = "/api/docs/";
    public const string DocumentPath = "/openapi/v1.json";

    public static async Task<ReferencePage> GetAsync(HttpClient client)
    {
        var page = new Uri(new Uri("https://localhost"), PagePath);
        using var response = await client.GetAsync(new Uri(page.AbsolutePath, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var nonce = AssertPolicy(Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        var scripts = ScriptTag().Matches(html).Select(tag => tag.Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.Equal(nonce, Attribute(script, "nonce")));
        // No CDN: nothing on the page names another origin.
        Assert.DoesNotMatch("(?i)(https?:)?//[a-z0-9.-]+", html);

        // Scripts and the icon are relative to the page; scalar.aspnetcore.js resolves the document's URL from the site's root.
        var assets = scripts.Select(script => Attribute(script, "src")).OfType<string>()
            .Concat(Configured(html, "favicon"))
            .Select(url => new Uri(page, url))
            .Concat(Configured(html, "url").Select(url => new Uri(new Uri(page, "/"), url)))
            .Select(url => new Uri(url.AbsolutePath, UriKind.Relative))
            .ToList();
        Assert.Contains(assets, asset => asset.OriginalString == PagePath + "scalar.js");
        Assert.Contains(assets, asset => asset.OriginalString == DocumentPath);
        return new ReferencePage(nonce, assets);
    }

    /// <summary>Scripts from this origin and the nonce only: no eval, no inline script without the nonce, nothing else fetched or framed.</summary>
    public static string AssertPolicy(string policy)
    {
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(directive => directive.Split(' ')[0], directive => directive.Split(' ')[1..], StringComparer.Ordinal);
        Assert.Equal(["'none'"], directives["default-src"]);
        var script = directives["script-src"];
        Assert.Equal("'self'", script[0]);
        var nonce = Assert.Single(script[1..]);
        Assert.Matches("^'nonce-[A-Za-z0-9+/_=-]{22,}'$", nonce);
        Assert.Equal(["'self'"], directives["connect-src"]);
        Assert.Equal(["'none'"], directives["object-src"]);
        Assert.Equal(["'self'"], directives["base-uri"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        return nonce["'nonce-".Length..^1];
    }

    private static string? Attribute(string tag, string name) =>
        Regex.Match(tag, $"\\s{name}=\"(?<value>[^\"]*)\"") is { Success: true } match ? match.Groups["value"].Value : null;

    /// <summary>A URL in the configuration Scalar's page passes to its script, such as <c>"url":"openapi/v1.json"</c>.</summary>
    private static IEnumerable<string> Configured(string html, string key) =>
        Regex.Matches(html, $"\"{key}\":\"(?<url>[^\"]+)\"").Select(match => match.Groups["url"].Value);

    [GeneratedRegex("<script\\b[^>]*>")]
    private static partial Regex ScriptTag();
}
