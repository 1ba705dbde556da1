using System.Text.RegularExpressions;

namespace Scanner.Checks;

/// <summary>Delivery: compressed text (WEB-02) and a year's cache on fingerprinted assets (MED-01).</summary>
public static partial class CachingChecks
{
    /// <summary>Servers rightly skip compressing tiny bodies (nginx gzip_min_length, CDNs), so those are not judged.</summary>
    public const int MinimumCompressibleBytes = 1024;

    public const int MaxAssetsFetched = 5;

    private static readonly string[] Encodings = ["gzip", "br", "zstd", "deflate"];

    /// <summary>
    /// A file name with a content hash: a name segment of 8+ letters and digits with both in it ("app.3f9a1c2b.js",
    /// "index-BdKqX3f9.js") or 16+ hex digits, or a version query with such a value ("site.css?v=Fo0Xd8Ldi…", asp-append-version).
    /// </summary>
    public static bool IsFingerprinted(Uri url)
    {
        var name = url.Segments.Length > 0 ? Uri.UnescapeDataString(url.Segments[^1]) : "";
        var stem = name.Contains('.', StringComparison.Ordinal) ? name[..name.LastIndexOf('.')] : name;
        if (stem.Split('.', '-', '_').Any(LooksLikeHash))
        {
            return true;
        }

        return url.Query.TrimStart('?').Split('&').Select(pair => pair.Split('=', 2))
            .Any(pair => pair is ["v" or "version" or "hash", var value] && LooksLikeHash(Uri.UnescapeDataString(value)));
    }

    private static bool LooksLikeHash(string segment) =>
        (segment.Length >= 8 && HashLike().IsMatch(segment) && segment.Any(char.IsAsciiDigit) && segment.Any(char.IsAsciiLetter))
        || (segment.Length >= 16 && HexOnly().IsMatch(segment));

    /// <summary>Same-origin fingerprinted assets the page references, the first few, to fetch for their cache headers.</summary>
    public static IReadOnlyList<Uri> FingerprintedAssets(IReadOnlyList<PageAsset> assets, Uri pageUrl) =>
        [.. assets.Select(asset => asset.Url).Where(url => PageChecks.SameOrigin(url, pageUrl) && IsFingerprinted(url)).Distinct().Take(MaxAssetsFetched)];

    /// <summary>The page fetched with Accept-Encoding: gzip, br.</summary>
    public static Finding Compression(ObservedResponse response)
    {
        var encoding = response.Headers.Get("Content-Encoding")?.Trim();
        var contentType = response.Headers.Get("Content-Type") ?? "";
        if (encoding is not null && Encodings.Any(known => encoding.Contains(known, StringComparison.OrdinalIgnoreCase)))
        {
            return FindingCatalogue.Compression.Pass($"Content-Encoding: {encoding} ({contentType})");
        }

        if (!IsText(contentType))
        {
            return FindingCatalogue.Compression.NotApplicable($"Content-Type: {contentType} is not text");
        }

        if (response.Body is { } body && body.Length < MinimumCompressibleBytes)
        {
            return FindingCatalogue.Compression.NotApplicable($"{body.Length} characters, too small to compress");
        }

        return FindingCatalogue.Compression.Fail($"Accept-Encoding: gzip, br answered without Content-Encoding ({contentType})");
    }

    public static bool IsText(string contentType) =>
        contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("json", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("javascript", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Each fingerprinted asset's answer: max-age of a year passes; immutable is noted (it spares revalidation on reload).</summary>
    public static Finding AssetCaching(IReadOnlyList<ObservedResponse> assets)
    {
        if (assets.Count == 0)
        {
            return FindingCatalogue.AssetCaching.NotApplicable("no fingerprinted same-origin assets in the page");
        }

        var shortLived = new List<string>();
        var evidence = new List<string>();
        foreach (var asset in assets)
        {
            var cacheControl = asset.Headers.Get("Cache-Control");
            var directives = cacheControl?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
            var maxAge = directives.Select(directive => directive.Split('=', 2))
                .Where(pair => pair[0].Equals("max-age", StringComparison.OrdinalIgnoreCase) && pair.Length == 2)
                .Select(pair => long.TryParse(pair[1].Trim('"'), out var seconds) ? seconds : 0)
                .FirstOrDefault();
            var immutable = directives.Any(directive => directive.Equals("immutable", StringComparison.OrdinalIgnoreCase));
            var line = $"{asset.Url.AbsolutePath} → {asset.Status} Cache-Control: {cacheControl ?? "(none)"}{(immutable ? " (immutable)" : "")}";
            evidence.Add(line);
            if (asset.Status != 200 || maxAge < TransportChecks.OneYearSeconds)
            {
                shortLived.Add(line);
            }
        }

        return shortLived.Count == 0
            ? FindingCatalogue.AssetCaching.Pass(string.Join("; ", evidence))
            : FindingCatalogue.AssetCaching.Fail(string.Join("; ", shortLived));
    }

    [GeneratedRegex("^[A-Za-z0-9]+$")]
    private static partial Regex HashLike();

    [GeneratedRegex("^[0-9a-fA-F]+$")]
    private static partial Regex HexOnly();
}
