using AngleSharp.Html.Parser;

namespace Scanner.Checks;

public enum PageAssetKind
{
    Script,
    Stylesheet,
    Other,
}

/// <summary>A resource the page references, resolved against the page's URL.</summary>
public sealed record PageAsset(Uri Url, PageAssetKind Kind, string? Integrity);

/// <summary>What the page's HTML references: subresource integrity on third-party code (SEC-06) and the assets other checks fetch.</summary>
public static class PageChecks
{
    /// <summary>Scripts, stylesheets, images and preloads with http(s) URLs, in document order.</summary>
    public static IReadOnlyList<PageAsset> Assets(string? html, Uri pageUrl)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return [];
        }

        var document = new HtmlParser().ParseDocument(html);
        var baseUrl = document.QuerySelector("base[href]")?.GetAttribute("href") is { } href && Uri.TryCreate(pageUrl, href, out var declared)
            ? declared
            : pageUrl;
        var assets = new List<PageAsset>();
        void Add(string? reference, PageAssetKind kind, string? integrity)
        {
            if (!string.IsNullOrWhiteSpace(reference) && Uri.TryCreate(baseUrl, reference.Trim(), out var url)
                && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
            {
                assets.Add(new PageAsset(url, kind, integrity));
            }
        }

        foreach (var element in document.QuerySelectorAll("script[src], link[href], img[src]"))
        {
            switch (element.LocalName)
            {
                case "script":
                    Add(element.GetAttribute("src"), PageAssetKind.Script, element.GetAttribute("integrity"));
                    break;
                case "img":
                    Add(element.GetAttribute("src"), PageAssetKind.Other, null);
                    break;
                default:
                    var rel = element.GetAttribute("rel")?.ToLowerInvariant() ?? "";
                    var kind = rel.Contains("stylesheet", StringComparison.Ordinal) ? PageAssetKind.Stylesheet
                        : rel.Contains("modulepreload", StringComparison.Ordinal) ? PageAssetKind.Script
                        : PageAssetKind.Other;
                    if (kind != PageAssetKind.Other || rel.Contains("preload", StringComparison.Ordinal) || rel.Contains("icon", StringComparison.Ordinal))
                    {
                        Add(element.GetAttribute("href"), kind, element.GetAttribute("integrity"));
                    }

                    break;
            }
        }

        return assets;
    }

    public static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>Scripts and stylesheets from another origin must carry integrity, or a compromised CDN runs code in the page.</summary>
    public static Finding SubresourceIntegrity(IReadOnlyList<PageAsset> assets, Uri pageUrl)
    {
        var thirdParty = assets
            .Where(asset => asset.Kind is PageAssetKind.Script or PageAssetKind.Stylesheet && !SameOrigin(asset.Url, pageUrl))
            .ToList();
        if (thirdParty.Count == 0)
        {
            return FindingCatalogue.SubresourceIntegrity.NotApplicable("no third-party scripts or stylesheets in the page");
        }

        var missing = thirdParty.Where(asset => string.IsNullOrWhiteSpace(asset.Integrity)).ToList();
        return missing.Count == 0
            ? FindingCatalogue.SubresourceIntegrity.Pass($"integrity on {string.Join(", ", thirdParty.Select(asset => asset.Url))}")
            : FindingCatalogue.SubresourceIntegrity.Fail($"no integrity on {string.Join(", ", missing.Select(asset => asset.Url))}");
    }
}
