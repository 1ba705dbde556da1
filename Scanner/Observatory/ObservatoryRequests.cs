namespace Scanner.Observatory;

/// <summary>
/// A retrieval as Observatory's tests read it (src/types.js, Requests): the responses, the http-equiv headers of the page,
/// the protocol of the session the scan settled on, and that session's cookie jar.
/// </summary>
public sealed class ObservatoryRequests
{
    private static readonly HashSet<string> HtmlTypes = new(StringComparer.Ordinal) { "text/html", "application/xhtml+xml" };

    public ObservatoryRequests(SiteResponses responses, HstsPreloadList? preloadList = null)
    {
        ArgumentNullException.ThrowIfNull(responses);
        Responses = responses;
        Hostname = HostWithoutPort(responses.Hostname);
        PreloadList = preloadList ?? HstsPreloadList.Empty;

        // retriever.js: the https session is chosen whenever it connected, and Responses.Https is its final response.
        SessionIsHttps = responses.Https is not null;

        // retriever.js: http-equiv is parsed only when the content type (not trimmed, not lowercased) is HTML and the page has text.
        var contentType = responses.Auto?.Headers.Get("content-type")?.Split(';')[0];
        HttpEquiv = contentType is not null && HtmlTypes.Contains(contentType) && !string.IsNullOrEmpty(responses.PageText)
            ? HttpEquivParser.Parse(responses.PageText)
            : new Dictionary<string, IReadOnlyList<string>>();

        Cookies = ObservatoryCookieJar.Store(responses);
    }

    public SiteResponses Responses { get; }

    /// <summary>The host scanned, without a port (Observatory takes the port as a separate option).</summary>
    public string Hostname { get; }

    public HstsPreloadList PreloadList { get; }

    /// <summary>Whether the session's starting URL (Observatory's <c>requests.session.url</c>) is https.</summary>
    public bool SessionIsHttps { get; init; }

    /// <summary>The page's &lt;meta&gt; headers as retriever/utils.js parseHttpEquivHeaders finds them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> HttpEquiv { get; init; }

    /// <summary>The chosen session's cookie jar, in creation order (tough-cookie's serializeSync).</summary>
    public IReadOnlyList<JarCookie> Cookies { get; init; }

    /// <summary>
    /// The Origin the CORS preflight's request carried, as the cors test reads it. Observatory reads it from
    /// <c>response.request.headers</c>, and Node's ClientRequest has no <c>headers</c> property, so on a real scan it
    /// is always null (and "universal access" can never be found); Observatory's own tests set it by hand.
    /// </summary>
    public string? CorsRequestOrigin { get; init; }

    public string? PageText => Responses.PageText;

    internal static string HostWithoutPort(string hostname) =>
        Uri.TryCreate("http://" + hostname, UriKind.Absolute, out var uri) ? uri.Host : hostname;
}

/// <summary>Reads headers as Observatory's analyzer/utils.js does, over Node's joined headers.</summary>
internal static class Headers
{
    /// <summary>getHttpHeaders: every value Node kept (several only for set-cookie; others arrive joined).</summary>
    public static IReadOnlyList<string> All(ObservedResponse? response, string name)
    {
        if (response is null)
        {
            return [];
        }

        if (name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase))
        {
            return response.Headers.GetAll(name);
        }

        return response.Headers.Get(name) is { } value ? [value] : [];
    }

    /// <summary>getFirstHttpHeader.</summary>
    public static string? First(ObservedResponse? response, string name) => All(response, name) is [var first, ..] ? first : null;

    /// <summary>String.prototype.slice(0, length).</summary>
    public static string Prefix(string value, int length) => value.Length <= length ? value : value[..length];
}
