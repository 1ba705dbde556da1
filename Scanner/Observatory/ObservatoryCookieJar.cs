using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Scanner.Observatory;

/// <summary>A cookie as tough-cookie stores it, with the fields Observatory's cookies test reads.</summary>
public sealed record JarCookie(
    string Key,
    string Value,
    string Domain,
    string Path,
    bool Secure,
    bool HttpOnly,
    string? SameSite,
    DateTimeOffset? Expires,
    long? MaxAge,
    bool HostOnly)
{
    public ObservedCookie ToObservedCookie() => new(Key, Value, Domain, Path, Secure, HttpOnly, SameSite, Expires, HostOnly);
}

/// <summary>
/// The cookie jar of Observatory's session: tough-cookie 5.1.2's <c>CookieJar</c> with its defaults (rejectPublicSuffixes,
/// prefixSecurity "silent", strict parsing), fed by http-cookie-agent's <c>setCookieSync(cookie, requestUrl, { ignoreError: true })</c>.
/// tough-cookie accepts a Secure cookie over plain http and keeps expired cookies; a later cookie with the same
/// domain, path and name replaces an earlier one in its place.
/// </summary>
public static class ObservatoryCookieJar
{
    private static readonly string[] SpecialUseDomains = ["local", "example", "invalid", "localhost", "test"];
    private static readonly string[] SpecialTreatmentDomains = ["localhost", "invalid"];

    /// <summary>The cookies Observatory's jar ends up with after the chosen session's responses.</summary>
    /// <remarks>
    /// Only the session's recording client carries the cookie agent. /robots.txt is fetched with the other client, which gets
    /// a cookie agent (https only) only after the session fell back to an unverified certificate, so the /robots.txt
    /// response's cookies count only then. The retrieval lists them last; they are told apart by their path.
    /// </remarks>
    public static IReadOnlyList<JarCookie> Store(SiteResponses responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var robotsCookiesCount = responses.Auto is { Verified: false };
        var jar = new Jar();
        var inRobots = false;
        foreach (var header in responses.SetCookies)
        {
            inRobots |= header.Url.AbsolutePath == "/robots.txt";
            if (inRobots && !(robotsCookiesCount && header.Url.Scheme == Uri.UriSchemeHttps))
            {
                continue;
            }

            jar.SetCookie(header.Value, header.Url);
        }

        return jar.AllCookies();
    }

    /// <summary>Stores Set-Cookie values in order, each with the URL of the response that carried it.</summary>
    public static IReadOnlyList<JarCookie> Store(IEnumerable<(string SetCookie, Uri Url)> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var jar = new Jar();
        foreach (var (setCookie, url) in headers)
        {
            jar.SetCookie(setCookie, url);
        }

        return jar.AllCookies();
    }

    /// <summary>tough-cookie's Cookie.parse, strict mode; null where it fails.</summary>
    public static JarCookie? Parse(string setCookie)
    {
        ArgumentNullException.ThrowIfNull(setCookie);
        var text = setCookie.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var firstSemi = text.IndexOf(';', StringComparison.Ordinal);
        var pair = TrimTerminator(firstSemi == -1 ? text : text[..firstSemi]);
        var firstEq = pair.IndexOf('=', StringComparison.Ordinal);
        if (firstEq <= 0)
        {
            return null;
        }

        var key = pair[..firstEq].Trim();
        var value = pair[(firstEq + 1)..].Trim();
        if (key.Any(c => c < 0x20) || value.Any(c => c < 0x20))
        {
            return null;
        }

        var cookie = new JarCookie(key, value, "", "", false, false, null, null, null, false);
        string? domain = null;
        string? path = null;
        if (firstSemi != -1)
        {
            foreach (var attribute in text[(firstSemi + 1)..].Trim().Split(';'))
            {
                var av = attribute.Trim();
                if (av.Length == 0)
                {
                    continue;
                }

                var separator = av.IndexOf('=', StringComparison.Ordinal);
                var avKey = (separator == -1 ? av : av[..separator]).Trim().ToLowerInvariant();
                var avValue = separator == -1 ? null : av[(separator + 1)..].Trim();
                switch (avKey)
                {
                    case "expires" when !string.IsNullOrEmpty(avValue):
                        if (ParseDate(avValue) is { } expires)
                        {
                            cookie = cookie with { Expires = expires };
                        }

                        break;
                    case "max-age" when !string.IsNullOrEmpty(avValue):
                        if (IsInteger(avValue) && long.TryParse(avValue, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var maxAge))
                        {
                            cookie = cookie with { MaxAge = maxAge };
                        }

                        break;
                    case "domain" when !string.IsNullOrEmpty(avValue):
                        var trimmed = avValue.Trim();
                        trimmed = trimmed.StartsWith('.') ? trimmed[1..] : trimmed;
                        if (trimmed.Length > 0)
                        {
                            domain = trimmed.ToLowerInvariant();
                        }

                        break;
                    case "path":
                        path = !string.IsNullOrEmpty(avValue) && avValue[0] == '/' ? avValue : null;
                        break;
                    case "secure":
                        cookie = cookie with { Secure = true };
                        break;
                    case "httponly":
                        cookie = cookie with { HttpOnly = true };
                        break;
                    case "samesite":
                        cookie = cookie with
                        {
                            SameSite = avValue?.ToLowerInvariant() switch
                            {
                                "strict" => "strict",
                                "lax" => "lax",
                                "none" => "none",
                                _ => null,
                            },
                        };
                        break;
                    default:
                        break;
                }
            }
        }

        return cookie with { Domain = domain ?? "", Path = path ?? "" };
    }

    private static bool IsInteger(string value)
    {
        var digits = value.StartsWith('-') ? value[1..] : value;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit);
    }

    // Chromium's terminators, which tough-cookie cuts the name-value pair at.
    private static string TrimTerminator(string pair)
    {
        foreach (var terminator in new[] { '\n', '\r', '\0' })
        {
            var index = pair.IndexOf(terminator, StringComparison.Ordinal);
            if (index != -1)
            {
                pair = pair[..index];
            }
        }

        return pair;
    }

    /// <remarks>tough-cookie parses dates with RFC 6265's algorithm; this reads the usual HTTP date forms. Only the report's data uses it.</remarks>
    private static DateTimeOffset? ParseDate(string value) =>
        DateTimeOffset.TryParse(value.Replace('-', ' '), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.ToUniversalTime()
            : null;

    private static string CanonicalDomain(string domain)
    {
        var trimmed = domain.Trim();
        return (trimmed.StartsWith('.') ? trimmed[1..] : trimmed).ToLowerInvariant();
    }

    private static bool IsIpAddress(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var address) && (address.AddressFamily == AddressFamily.InterNetworkV6 || host.Count(c => c == '.') == 3);

    /// <summary>domainMatch with canonicalize false.</summary>
    private static bool DomainMatch(string host, string cookieDomain)
    {
        if (host == cookieDomain)
        {
            return true;
        }

        var index = host.LastIndexOf(cookieDomain, StringComparison.Ordinal);
        return index > 0 && host.Length == cookieDomain.Length + index && host[index - 1] == '.' && !IsIpAddress(host);
    }

    /// <summary>getPublicSuffix with allowSpecialUseDomain and ignoreError: the registrable domain, or null for a public suffix.</summary>
    private static string? RegistrableDomain(string domain)
    {
        var labels = domain.Split('.');
        var topLevel = labels[^1];
        if (SpecialUseDomains.Contains(topLevel))
        {
            if (labels.Length > 1)
            {
                return $"{labels[^2]}.{topLevel}";
            }

            if (SpecialTreatmentDomains.Contains(topLevel))
            {
                return topLevel;
            }
        }

        return PublicSuffixList.GetDomain(domain, includePrivateDomains: true);
    }

    /// <summary>defaultPath (RFC 6265 5.1.4).</summary>
    private static string DefaultPath(string path)
    {
        if (path.Length == 0 || path[0] != '/' || path == "/")
        {
            return "/";
        }

        var rightSlash = path.LastIndexOf('/');
        return rightSlash == 0 ? "/" : path[..rightSlash];
    }

    private sealed class Jar
    {
        private readonly Dictionary<(string Domain, string Path, string Key), (long CreationIndex, JarCookie Cookie)> cookies = [];
        private long created;

        public IReadOnlyList<JarCookie> AllCookies() => [.. cookies.Values.OrderBy(entry => entry.CreationIndex).Select(entry => entry.Cookie)];

        /// <summary>CookieJar.setCookie with ignoreError: a cookie its rules refuse is dropped silently.</summary>
        public void SetCookie(string setCookie, Uri url)
        {
            if (Parse(setCookie) is not { } cookie)
            {
                return;
            }

            var creationIndex = ++created;
            var host = CanonicalDomain(url.Host);

            if (cookie.Domain.Length > 0)
            {
                var cookieDomain = CanonicalDomain(cookie.Domain);

                // S5.3 step 5: no cookie for a public suffix such as "com" or "github.io".
                if (RegistrableDomain(cookieDomain) is null && !(IPAddress.TryParse(cookie.Domain, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6))
                {
                    return;
                }

                // S5.3 step 6: the host must domain-match the cookie's domain.
                if (!DomainMatch(host, cookieDomain))
                {
                    return;
                }

                cookie = cookie with { HostOnly = false };
            }
            else
            {
                cookie = cookie with { HostOnly = true, Domain = host };
            }

            if (cookie.Path.Length == 0)
            {
                cookie = cookie with { Path = DefaultPath(url.AbsolutePath) };
            }

            // RFC 6265bis prefixes, case-sensitive as tough-cookie checks them; "silent" drops the cookie.
            if (cookie.Key.StartsWith("__Secure-", StringComparison.Ordinal) && !cookie.Secure)
            {
                return;
            }

            if (cookie.Key.StartsWith("__Host-", StringComparison.Ordinal) && !(cookie.Secure && cookie.HostOnly && cookie.Path == "/"))
            {
                return;
            }

            var key = (cookie.Domain, cookie.Path, cookie.Key);
            if (cookies.TryGetValue(key, out var old))
            {
                creationIndex = old.CreationIndex;
            }

            cookies[key] = (creationIndex, cookie);
        }
    }
}
