namespace Scanner.Observatory;

public sealed class CookiesOutput(string expectation) : ObservatoryOutput(expectation)
{
    public override string Name => "cookies";

    /// <summary>The jar's cookies by name (a later cookie of the same name wins), as Observatory reports them.</summary>
    public IReadOnlyDictionary<string, JarCookie>? Cookies { get; set; }

    /// <summary>Whether every cookie had SameSite, when there were cookies.</summary>
    public bool? SameSite { get; set; }

    public override string? Data => Cookies is null
        ? null
        : Serialize(Cookies.ToDictionary(
            pair => pair.Key,
            pair => new CookieData(pair.Value.Domain, pair.Value.Expires, pair.Value.HttpOnly ? true : null, pair.Value.MaxAge, pair.Value.Path, pair.Value.SameSite, pair.Value.Secure ? true : null)));

    // tough-cookie's serialized cookie leaves out defaults (false flags, no expiry); so does this.
    private sealed record CookieData(
        [property: System.Text.Json.Serialization.JsonPropertyName("domain")] string Domain,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires")] DateTimeOffset? Expires,
        [property: System.Text.Json.Serialization.JsonPropertyName("httponly")] bool? HttpOnly,
        [property: System.Text.Json.Serialization.JsonPropertyName("max-age")] long? MaxAge,
        [property: System.Text.Json.Serialization.JsonPropertyName("path")] string Path,
        [property: System.Text.Json.Serialization.JsonPropertyName("samesite")] string? SameSite,
        [property: System.Text.Json.Serialization.JsonPropertyName("secure")] bool? Secure);
}

/// <summary>src/analyzer/tests/cookies.js.</summary>
public static class CookiesTest
{
    // See mozilla/http-observatory#282 for heroku-session-affinity.
    private static readonly string[] CookiesToIgnore = ["heroku-session-affinity"];

    // Best to worst, for onlyIfWorse.
    private static readonly string[] Goodness =
    [
        Expectation.CookiesWithoutSecureFlagButProtectedByHsts,
        Expectation.CookiesWithoutSecureFlag,
        Expectation.CookiesSessionWithoutSecureFlagButProtectedByHsts,
        Expectation.CookiesSamesiteFlagInvalid,
        Expectation.CookiesAnticsrfWithoutSamesiteFlag,
        Expectation.CookiesSessionWithoutHttponlyFlag,
        Expectation.CookiesSessionWithoutSecureFlag,
    ];

    private static readonly string[] SameSiteValues = ["lax", "strict", "none"];

    public static CookiesOutput Run(ObservatoryRequests requests, string expectation = Expectation.CookiesSecureWithHttponlySessions)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new CookiesOutput(expectation);
        var hsts = StrictTransportSecurityTest.Run(requests).Pass;
        output.SameSite = false;
        var hasMissingSameSite = false;

        // A malformed SameSite on the final response's raw headers (the jar forgets it was malformed).
        foreach (var rawCookie in Headers.All(requests.Responses.Auto, "set-cookie"))
        {
            if (ContainsInvalidSameSite(rawCookie))
            {
                output.Result = Expectation.OnlyIfWorse(Expectation.CookiesSamesiteFlagInvalid, output.Result, Goodness);
            }
        }

        var cookies = requests.Cookies.Where(cookie => cookie.Key.Length > 0 && !CookiesToIgnore.Contains(cookie.Key)).ToList();
        if (cookies.Count == 0)
        {
            output.Result = Expectation.CookiesNotFound;
        }
        else
        {
            foreach (var cookie in cookies)
            {
                var key = cookie.Key.ToLowerInvariant();
                var sessionId = key.Contains("login", StringComparison.Ordinal) || key.Contains("sess", StringComparison.Ordinal);
                var antiCsrf = key.Contains("csrf", StringComparison.Ordinal);

                if (!cookie.Secure && cookie.SameSite == "none")
                {
                    output.Result = Expectation.OnlyIfWorse(Expectation.CookiesSamesiteFlagInvalid, output.Result, Goodness);
                }

                if (!cookie.Secure)
                {
                    output.Result = Expectation.OnlyIfWorse(
                        hsts ? Expectation.CookiesWithoutSecureFlagButProtectedByHsts : Expectation.CookiesWithoutSecureFlag, output.Result, Goodness);
                }

                // Anti-CSRF tokens should be set with SameSite.
                if (antiCsrf && cookie.SameSite is null)
                {
                    output.Result = Expectation.OnlyIfWorse(Expectation.CookiesAnticsrfWithoutSamesiteFlag, output.Result, Goodness);
                }

                // Login and session cookies should be Secure and HttpOnly.
                if (sessionId && !cookie.Secure)
                {
                    output.Result = Expectation.OnlyIfWorse(
                        hsts ? Expectation.CookiesSessionWithoutSecureFlagButProtectedByHsts : Expectation.CookiesSessionWithoutSecureFlag, output.Result, Goodness);
                }

                if (sessionId && !cookie.HttpOnly)
                {
                    output.Result = Expectation.OnlyIfWorse(Expectation.CookiesSessionWithoutHttponlyFlag, output.Result, Goodness);
                }

                hasMissingSameSite |= cookie.SameSite is null;
            }

            if (output.Result is null)
            {
                output.SameSite = !hasMissingSameSite;
                output.Result = hasMissingSameSite
                    ? Expectation.CookiesSecureWithHttponlySessions
                    : Expectation.CookiesSecureWithHttponlySessionsAndSamesite;
            }

            var byName = new Dictionary<string, JarCookie>(StringComparer.Ordinal);
            foreach (var cookie in cookies)
            {
                byName[cookie.Key] = cookie;
            }

            output.Cookies = byName;
        }

        output.Pass = output.Result is Expectation.CookiesNotFound or Expectation.CookiesSecureWithHttponlySessionsAndSamesite
            || output.Result == expectation;
        return output;
    }

    /// <summary>containsInvalidSameSiteCookie: a SameSite attribute that is empty or not lax, strict or none.</summary>
    private static bool ContainsInvalidSameSite(string setCookie)
    {
        foreach (var part in setCookie.Trim().Split(';'))
        {
            // Destructuring split("="): the value is the text between the first and second "=".
            var pieces = part.Trim().Split('=');
            if (!pieces[0].Trim().Equals("samesite", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (pieces.Length < 2 || pieces[1].Length == 0 || !SameSiteValues.Contains(pieces[1].Trim().ToLowerInvariant()))
            {
                return true;
            }
        }

        return false;
    }
}
