namespace Scanner.Checks;

/// <summary>The attributes of every Set-Cookie the page's session received (SEC-06).</summary>
public static class CookieChecks
{
    // Names that usually carry a session or an authentication ticket; CSRF tokens are left out (scripts may need to read them).
    private static readonly string[] SessionNameParts =
        ["sess", "sid", "auth", "token", "login", "jwt", "identity", ".aspnetcore.cookies", "remember"];

    /// <summary>A Set-Cookie header's name and attributes (RFC 6265 §5.2; attribute names case-insensitive, the last one wins).</summary>
    public sealed record SetCookie(string Name, bool Secure, bool HttpOnly, string? SameSite, string? Domain, string? Path)
    {
        public static SetCookie? Parse(string header)
        {
            var parts = header.Split(';');
            var nameValue = parts[0];
            var equals = nameValue.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? "" : nameValue[..equals]).Trim();
            if (equals < 0)
            {
                return null;
            }

            bool secure = false, httpOnly = false;
            string? sameSite = null, domain = null, path = null;
            foreach (var attribute in parts.Skip(1))
            {
                var split = attribute.Split('=', 2);
                var key = split[0].Trim();
                var value = split.Length > 1 ? split[1].Trim() : "";
                switch (key.ToLowerInvariant())
                {
                    case "secure": secure = true; break;
                    case "httponly": httpOnly = true; break;
                    case "samesite": sameSite = value; break;
                    case "domain": domain = value; break;
                    case "path": path = value; break;
                    default: break;
                }
            }

            return new SetCookie(name, secure, httpOnly, sameSite, domain, path);
        }

        public bool LooksLikeSession => SessionNameParts.Any(part => Name.Contains(part, StringComparison.OrdinalIgnoreCase));
    }

    public static IEnumerable<Finding> Check(IReadOnlyList<SetCookieHeader> setCookies)
    {
        var cookies = setCookies.Select(header => SetCookie.Parse(header.Value)).OfType<SetCookie>()
            .DistinctBy(cookie => cookie.Name, StringComparer.Ordinal).ToList();
        if (cookies.Count == 0)
        {
            const string none = "no cookies set";
            yield return FindingCatalogue.CookieSecure.NotApplicable(none);
            yield return FindingCatalogue.CookieHttpOnly.NotApplicable(none);
            yield return FindingCatalogue.CookieSameSite.NotApplicable(none);
            yield return FindingCatalogue.CookiePrefix.NotApplicable(none);
            yield break;
        }

        yield return Aggregate(FindingCatalogue.CookieSecure, cookies, cookie => cookie.Secure, "without Secure");

        var sessions = cookies.Where(cookie => cookie.LooksLikeSession).ToList();
        yield return sessions.Count == 0
            ? FindingCatalogue.CookieHttpOnly.NotApplicable($"no session-like cookie among {Names(cookies)}")
            : Aggregate(FindingCatalogue.CookieHttpOnly, sessions, cookie => cookie.HttpOnly, "without HttpOnly");

        // SameSite=None is only honoured with Secure; without it browsers reject the cookie.
        yield return Aggregate(FindingCatalogue.CookieSameSite, cookies,
            cookie => cookie.SameSite is { Length: > 0 } sameSite
                && (!sameSite.Equals("None", StringComparison.OrdinalIgnoreCase) || cookie.Secure),
            "without SameSite (or None without Secure)");

        var prefixed = cookies.Where(cookie => cookie.Name.StartsWith("__Host-", StringComparison.Ordinal)
            || cookie.Name.StartsWith("__Secure-", StringComparison.Ordinal)).ToList();
        yield return prefixed.Count == 0
            ? FindingCatalogue.CookiePrefix.NotApplicable($"no __Host- or __Secure- cookie among {Names(cookies)}")
            : Aggregate(FindingCatalogue.CookiePrefix, prefixed, MeetsPrefixRules, "breaking their prefix's rules");
    }

    /// <summary>RFC 6265bis §4.1.3: __Secure- needs Secure; __Host- also needs Path=/ and no Domain.</summary>
    public static bool MeetsPrefixRules(SetCookie cookie) =>
        cookie.Secure && (!cookie.Name.StartsWith("__Host-", StringComparison.Ordinal) || (cookie.Path == "/" && cookie.Domain is null));

    private static Finding Aggregate(FindingDefinition check, IReadOnlyList<SetCookie> cookies, Func<SetCookie, bool> ok, string failure)
    {
        var failing = cookies.Where(cookie => !ok(cookie)).ToList();
        return failing.Count == 0
            ? check.Pass($"checked {Names(cookies)}")
            : check.Fail($"{Names(failing)} {failure}");
    }

    private static string Names(IEnumerable<SetCookie> cookies) => string.Join(", ", cookies.Select(cookie => cookie.Name));
}
