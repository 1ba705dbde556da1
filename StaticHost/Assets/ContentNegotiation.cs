using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace StaticHost.Assets;

/// <summary>Picks the representation to send and evaluates <c>If-None-Match</c> (RFC 9110 sections 12.5.3 and 13.1.2).</summary>
internal static class ContentNegotiation
{
    private const string Identity = "identity";

    /// <summary>
    /// The acceptable representation with the highest quality value; on a tie Brotli beats gzip beats identity.
    /// Identity is acceptable unless excluded (<c>identity;q=0</c>, or <c>*;q=0</c> without an identity entry);
    /// when nothing is acceptable identity is sent anyway, as RFC 9110 allows, rather than a 406.
    /// </summary>
    public static AssetRepresentation SelectRepresentation(StaticAsset asset, StringValues acceptEncoding)
    {
        ArgumentNullException.ThrowIfNull(asset);
        if (!asset.HasEncodedVariants
            || StringValues.IsNullOrEmpty(acceptEncoding)
            || !StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var accepted))
        {
            return asset.Identity;
        }

        AssetRepresentation? best = null;
        var bestQuality = 0d;
        foreach (var candidate in new[] { asset.Brotli, asset.Gzip, asset.Identity })
        {
            if (candidate is null)
            {
                continue;
            }

            var quality = QualityOf(candidate.ContentEncoding ?? Identity, accepted);
            if (quality > bestQuality)
            {
                best = candidate;
                bestQuality = quality;
            }
        }

        return best ?? asset.Identity;
    }

    /// <summary>True when <c>If-None-Match</c> lists <c>*</c> or an entity tag that weakly matches <paramref name="etag"/>.</summary>
    public static bool IfNoneMatchMatches(StringValues ifNoneMatch, EntityTagHeaderValue etag)
    {
        ArgumentNullException.ThrowIfNull(etag);
        if (StringValues.IsNullOrEmpty(ifNoneMatch) || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
    }

    private static double QualityOf(string coding, IList<StringWithQualityHeaderValue> accepted)
    {
        double? exact = null;
        double? wildcard = null;
        foreach (var entry in accepted)
        {
            var value = entry.Value.Value;
            if (string.Equals(value, coding, StringComparison.OrdinalIgnoreCase))
            {
                exact = Math.Max(exact ?? 0, entry.Quality ?? 1);
            }
            else if (value == "*")
            {
                wildcard = Math.Max(wildcard ?? 0, entry.Quality ?? 1);
            }
        }

        return exact ?? wildcard ?? (coding == Identity ? 1 : 0);
    }
}
