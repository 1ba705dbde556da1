namespace Scanner;

/// <summary>One HTTP exchange as the scanner saw it from outside.</summary>
/// <param name="Url">The URL that answered (for a followed chain, the last one).</param>
/// <param name="Status">The status code.</param>
/// <param name="Headers">Response headers, with Node's joining rules so Observatory's analyzers read what they read.</param>
/// <param name="Verified">True when the TLS certificate validated (always true for plain HTTP).</param>
/// <param name="Body">The body as text, read only up to the scanner's cap; null when it was not read or not text.</param>
public sealed record ObservedResponse(Uri Url, int Status, HeaderCollection Headers, bool Verified, string? Body);

/// <summary>One hop of a redirect chain: the URL requested and the status it answered with.</summary>
public sealed record RedirectHop(Uri Url, int Status);

/// <summary>A Set-Cookie header as received, with the URL of the response that carried it.</summary>
public sealed record SetCookieHeader(Uri Url, string Value);

/// <summary>A cookie the site set, after the cookie jar's rules accepted it.</summary>
public sealed record ObservedCookie(
    string Name,
    string Value,
    string? Domain,
    string? Path,
    bool Secure,
    bool HttpOnly,
    string? SameSite,
    DateTimeOffset? Expires,
    bool HostOnly);
