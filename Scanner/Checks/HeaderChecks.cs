namespace Scanner.Checks;

/// <summary>Response headers of the page: CSP, framing, sniffing, referrer, cross-origin isolation, CORS, version disclosure.</summary>
public static class HeaderChecks
{
    /// <summary>The probe origin sent to see whether CORS echoes whatever asks; .invalid never resolves (RFC 2606).</summary>
    public const string ProbeOrigin = "https://scanner-probe.invalid";

    // Referrer-Policy values that never send a path across origins (the ones Observatory counts as private).
    private static readonly HashSet<string> PrivateReferrerPolicies = new(StringComparer.OrdinalIgnoreCase)
    {
        "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin",
    };

    public static IEnumerable<Finding> Check(SiteResponses responses)
    {
        var page = responses.Auto;
        if (page is null)
        {
            yield break;
        }

        foreach (var finding in Csp(page.Headers))
        {
            yield return finding;
        }

        yield return XContentTypeOptions(page.Headers);
        yield return Clickjacking(page.Headers);
        yield return ReferrerPolicy(page.Headers, PageMetaHeaders(page, responses.PageText));
        yield return CrossOriginOpenerPolicy(page.Headers);
        yield return CrossOriginResourcePolicy(page.Headers);
        yield return CorsWildcardWithCredentials(page, responses.Cors);
        yield return VersionDisclosure(FindingCatalogue.ServerVersion, "Server", page.Headers);
        yield return VersionDisclosure(FindingCatalogue.PoweredByVersion, "X-Powered-By", page.Headers);
    }

    /// <summary>The page's &lt;meta&gt; headers, read as Observatory reads them (only from an HTML page).</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> PageMetaHeaders(ObservedResponse page, string? pageText) =>
        page.Headers.Get("Content-Type")?.Split(';')[0].Trim() is "text/html" or "application/xhtml+xml" && !string.IsNullOrEmpty(pageText)
            ? Observatory.HttpEquivParser.Parse(pageText)
            : new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>CSP from the header only: a &lt;meta&gt; policy cannot set frame-ancestors, and the header is what the proxy controls.</summary>
    public static IEnumerable<Finding> Csp(HeaderCollection headers)
    {
        var header = headers.Get("Content-Security-Policy");
        var policies = ContentSecurityPolicy.ParseAll(header);
        if (policies.Count == 0)
        {
            const string missing = "no Content-Security-Policy header";
            yield return FindingCatalogue.CspPresent.Fail(missing);
            yield return FindingCatalogue.CspScriptUnsafeInline.Fail(missing);
            yield return FindingCatalogue.CspScriptUnsafeEval.Fail(missing);
            yield return FindingCatalogue.CspObjectSrc.Fail(missing);
            yield return FindingCatalogue.CspBaseUri.Fail(missing);
            yield return FindingCatalogue.CspFrameAncestors.Fail(missing);
            yield break;
        }

        var evidence = $"Content-Security-Policy: {header}";
        yield return FindingCatalogue.CspPresent.Pass(evidence);

        // With several policies a script runs only if every policy allows it, so one strict policy is enough.
        var scriptRestricted = policies.Any(policy => policy.ScriptSources is not null);
        yield return FindingCatalogue.CspScriptUnsafeInline.Check(
            scriptRestricted && !policies.All(policy => policy.ScriptSources is null || policy.AllowsUnsafeInlineScript), evidence);
        yield return FindingCatalogue.CspScriptUnsafeEval.Check(
            scriptRestricted && !policies.All(policy => policy.ScriptSources is null || policy.AllowsUnsafeEval), evidence);
        yield return FindingCatalogue.CspObjectSrc.Check(policies.Any(policy => policy.Effective("object-src", "default-src") is { } sources
            && (policy.Has("object-src") || ContentSecurityPolicy.HasKeyword(sources, "'none'"))), evidence);
        yield return FindingCatalogue.CspBaseUri.Check(policies.Any(policy => policy.Has("base-uri")), evidence);
        yield return FindingCatalogue.CspFrameAncestors.Check(policies.Any(policy => policy.Has("frame-ancestors")), evidence);
    }

    public static Finding XContentTypeOptions(HeaderCollection headers)
    {
        var value = headers.Get("X-Content-Type-Options");
        return FindingCatalogue.XContentTypeOptions.Check(
            string.Equals(value?.Trim(), "nosniff", StringComparison.OrdinalIgnoreCase), Evidence("X-Content-Type-Options", value));
    }

    public static Finding Clickjacking(HeaderCollection headers)
    {
        var frameOptions = headers.Get("X-Frame-Options")?.Trim();
        if (frameOptions is not null && (frameOptions.Equals("DENY", StringComparison.OrdinalIgnoreCase)
            || frameOptions.Equals("SAMEORIGIN", StringComparison.OrdinalIgnoreCase)))
        {
            return FindingCatalogue.ClickjackingProtection.Pass($"X-Frame-Options: {frameOptions}");
        }

        var csp = headers.Get("Content-Security-Policy");
        if (ContentSecurityPolicy.ParseAll(csp).Any(policy => policy.Has("frame-ancestors")))
        {
            return FindingCatalogue.ClickjackingProtection.Pass($"Content-Security-Policy: {csp}");
        }

        return FindingCatalogue.ClickjackingProtection.Fail(
            frameOptions is null ? "no X-Frame-Options and no CSP frame-ancestors" : $"X-Frame-Options: {frameOptions}");
    }

    /// <summary>The header, else the page's &lt;meta name="referrer"&gt;; the last recognised value of a list wins, as in browsers.</summary>
    public static Finding ReferrerPolicy(HeaderCollection headers, IReadOnlyDictionary<string, IReadOnlyList<string>> httpEquiv)
    {
        var header = headers.Get("Referrer-Policy");
        var meta = httpEquiv.TryGetValue("referrer-policy", out var values) && values.Count > 0 ? values[^1] : null;
        var value = header ?? meta;
        var evidence = header is not null ? $"Referrer-Policy: {header}"
            : meta is not null ? $"<meta name=\"referrer\" content=\"{meta}\">"
            : "no Referrer-Policy";
        var effective = value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return FindingCatalogue.ReferrerPolicy.Check(effective is not null && PrivateReferrerPolicies.Contains(effective), evidence);
    }

    public static Finding CrossOriginOpenerPolicy(HeaderCollection headers)
    {
        var value = headers.Get("Cross-Origin-Opener-Policy")?.Trim();
        var isolates = value is not null && (value.StartsWith("same-origin", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("noopener-allow-popups", StringComparison.OrdinalIgnoreCase));
        return FindingCatalogue.CrossOriginOpenerPolicy.Check(isolates, Evidence("Cross-Origin-Opener-Policy", value));
    }

    /// <summary>Any valid value passes: even cross-origin is a deliberate choice for a public asset.</summary>
    public static Finding CrossOriginResourcePolicy(HeaderCollection headers)
    {
        var value = headers.Get("Cross-Origin-Resource-Policy")?.Trim();
        var valid = value is not null && (value.Equals("same-origin", StringComparison.OrdinalIgnoreCase)
            || value.Equals("same-site", StringComparison.OrdinalIgnoreCase)
            || value.Equals("cross-origin", StringComparison.OrdinalIgnoreCase));
        return FindingCatalogue.CrossOriginResourcePolicy.Check(valid, Evidence("Cross-Origin-Resource-Policy", value));
    }

    /// <summary>A wildcard origin with credentials, on the page or on the CORS preflight.</summary>
    public static Finding CorsWildcardWithCredentials(ObservedResponse page, ObservedResponse? preflight)
    {
        foreach (var response in preflight is null ? [page] : new[] { page, preflight })
        {
            var origin = response.Headers.Get("Access-Control-Allow-Origin")?.Trim();
            var credentials = response.Headers.Get("Access-Control-Allow-Credentials")?.Trim();
            if (origin == "*" && string.Equals(credentials, "true", StringComparison.OrdinalIgnoreCase))
            {
                return FindingCatalogue.CorsWildcardCredentials.Fail(
                    $"Access-Control-Allow-Origin: *, Access-Control-Allow-Credentials: {credentials} ({response.Url})");
            }
        }

        var seen = page.Headers.Get("Access-Control-Allow-Origin") ?? preflight?.Headers.Get("Access-Control-Allow-Origin");
        return FindingCatalogue.CorsWildcardCredentials.Pass(Evidence("Access-Control-Allow-Origin", seen));
    }

    /// <summary>The answer to a GET sent with <c>Origin: <see cref="ProbeOrigin"/></c>; echoing it means any site may read the page.</summary>
    public static Finding CorsReflectedOrigin(ObservedResponse probe)
    {
        var origin = probe.Headers.Get("Access-Control-Allow-Origin")?.Trim();
        var credentials = probe.Headers.Get("Access-Control-Allow-Credentials")?.Trim();
        var evidence = origin is null ? "no Access-Control-Allow-Origin for Origin: " + ProbeOrigin
            : $"Origin: {ProbeOrigin} answered Access-Control-Allow-Origin: {origin}"
                + (credentials is null ? "" : $", Access-Control-Allow-Credentials: {credentials}");
        if (!string.Equals(origin, ProbeOrigin, StringComparison.OrdinalIgnoreCase))
        {
            return FindingCatalogue.CorsReflectedOrigin.Pass(evidence);
        }

        // Reflection without credentials only exposes what an anonymous request could read anyway.
        var withCredentials = string.Equals(credentials, "true", StringComparison.OrdinalIgnoreCase);
        return FindingCatalogue.CorsReflectedOrigin.Fail(evidence, withCredentials ? Severity.High : Severity.Medium);
    }

    /// <summary>A digit in the header is taken as a version ("nginx/1.25.3", "PHP/8.2.1", "ASP.NET 4.0").</summary>
    public static Finding VersionDisclosure(FindingDefinition check, string header, HeaderCollection headers)
    {
        var value = headers.Get(header);
        return check.Check(value is null || !value.Any(char.IsAsciiDigit), Evidence(header, value));
    }

    private static string Evidence(string header, string? value) => value is null ? $"no {header}" : $"{header}: {value}";
}
