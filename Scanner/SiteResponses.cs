namespace Scanner;

/// <summary>
/// Everything one retrieval of a site gathered, shaped like MDN HTTP Observatory's <c>Requests</c>
/// (src/types.js) so its analyzers port one to one.
/// </summary>
public sealed record SiteResponses
{
    /// <summary>The host scanned, as given (may carry a port).</summary>
    public required string Hostname { get; init; }

    /// <summary>The final response of the https session when it connected, else of the http session.</summary>
    public ObservedResponse? Auto { get; init; }

    /// <summary>The final response of the session that started at the plain-HTTP URL; null when it could not connect.</summary>
    public ObservedResponse? Http { get; init; }

    /// <summary>The final response of the session that started at the HTTPS URL; null when it could not connect.</summary>
    public ObservedResponse? Https { get; init; }

    /// <summary>The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) at the final URL.</summary>
    public ObservedResponse? Cors { get; init; }

    /// <summary>Every hop of the http session, the first request included, the final response last.</summary>
    public IReadOnlyList<RedirectHop> HttpRedirects { get; init; } = [];

    /// <summary>Observatory 1.4.8 fills this with the http session's chain too (retriever.js); kept for fidelity.</summary>
    public IReadOnlyList<RedirectHop> HttpsRedirects { get; init; } = [];

    /// <summary>The text of the final page of the chosen session, when it was read.</summary>
    public string? PageText { get; init; }

    /// <summary>
    /// Every Set-Cookie header the chosen session received (each hop of the page's chain, then /robots.txt), in order,
    /// with the URL that set it. The rubric feeds them to a cookie jar with tough-cookie's rules, as Observatory does.
    /// </summary>
    public IReadOnlyList<SetCookieHeader> SetCookies { get; init; } = [];
}
