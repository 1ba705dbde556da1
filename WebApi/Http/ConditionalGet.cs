using Microsoft.Net.Http.Headers;

namespace WebApi.Http;

/// <summary>HTTP caching for GET endpoints: freshness for shared caches and revalidation by entity tag.</summary>
public static class ConditionalGet
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    /// <summary>Sets <c>Cache-Control: public, max-age=60</c> and the <c>ETag</c> header.</summary>
    public static void SetCachingHeaders(this HttpResponse response, string etag)
    {
        ArgumentNullException.ThrowIfNull(response);

        var headers = response.GetTypedHeaders();
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = MaxAge };
        headers.ETag = new EntityTagHeaderValue(etag);
    }

    /// <summary>
    /// Whether <c>If-None-Match</c> names <paramref name="etag"/> (or is <c>*</c>), so a 304 can replace the body.
    /// RFC 9110 requires weak comparison here, so <c>W/"x"</c> matches <c>"x"</c>.
    /// </summary>
    public static bool HasMatchingETag(this HttpRequest request, string etag)
    {
        ArgumentNullException.ThrowIfNull(request);

        var current = new EntityTagHeaderValue(etag);
        return request.GetTypedHeaders().IfNoneMatch.Any(candidate =>
            candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(current, useStrongComparison: false));
    }
}
