namespace Scanner.Observatory;

/// <summary>The flags Observatory's CSP test derives from the policy (src/types.js, Policy).</summary>
public sealed class CspPolicyFlags
{
    public bool AntiClickjacking { get; set; }

    public bool DefaultNone { get; set; }

    public bool InsecureBaseUri { get; set; }

    public bool InsecureFormAction { get; set; }

    public bool InsecureSchemeActive { get; set; }

    public bool InsecureSchemePassive { get; set; }

    public bool StrictDynamic { get; set; }

    public bool UnsafeEval { get; set; }

    public bool UnsafeInline { get; set; }

    public bool UnsafeInlineStyle { get; set; }

    public bool UnsafeObjects { get; set; }
}

public sealed class CspOutput(string expectation) : ObservatoryOutput(expectation)
{
    public override string Name => "content-security-policy";

    /// <summary>The merged policy, each directive's sources sorted; null when the test stopped before reading one.</summary>
    public SortedDictionary<string, List<string>>? Policy { get; set; }

    public bool Http { get; set; }

    public bool Meta { get; set; }

    public CspPolicyFlags? Flags { get; set; }

    public int NumPolicies { get; set; }

    public override string? Data => Policy is null ? null : Serialize(Policy);
}

/// <summary>src/analyzer/tests/csp.js.</summary>
public static class CspTest
{
    private static readonly HashSet<string> DangerouslyBroad = new(StringComparer.Ordinal)
    {
        "ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*",
    };

    private static readonly HashSet<string> DangerouslyBroadAndUnsafeInline = new(DangerouslyBroad.Append("'unsafe-inline'").Append("data:"), StringComparer.Ordinal);

    private static readonly string[] PassiveDirectives = ["img-src", "media-src"];

    private static readonly string[] NoncesAndHashes = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];

    public static CspOutput Run(ObservatoryRequests requests, string expectation = Expectation.CspImplementedWithNoUnsafe)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new CspOutput(expectation);
        var response = requests.Responses.Auto;
        if (response is null)
        {
            output.Result = Expectation.CspNotImplemented;
            return output;
        }

        var httpCspHeader = Headers.All(response, HttpEquivParser.ContentSecurityPolicy);
        var equivCspHeader = requests.HttpEquiv.GetValueOrDefault(HttpEquivParser.ContentSecurityPolicy) ?? [];
        output.NumPolicies = equivCspHeader.Count + httpCspHeader.Count;

        var csp = CspParser.Parse([.. httpCspHeader, .. equivCspHeader]);
        if (csp is null)
        {
            output.Result = Expectation.CspHeaderInvalid;
            return output;
        }

        var httpHeaderOnlyCsp = CspParser.Parse(httpCspHeader) ?? [];
        var metaCsp = CspParser.ParseMeta(equivCspHeader) ?? [];

        // A single meta tag with only directives a meta may not set counts as no policy.
        if (httpHeaderOnlyCsp.Count + metaCsp.Count == 0)
        {
            // Report-only is honoured only as a header.
            output.Result = response.Headers.Get("content-security-policy-report-only") is { Length: > 0 }
                ? Expectation.CspNotImplementedButReportingEnabled
                : Expectation.CspNotImplemented;
            return output;
        }

        var flags = output.Flags = new CspPolicyFlags();
        output.Http = httpCspHeader.Count > 0;
        output.Meta = equivCspHeader.Count > 0;

        // These alias the parsed policy's sets, as in Observatory: removing a source below removes it from the policy.
        var baseUri = csp.GetValueOrDefault("base-uri") ?? ["*"];

        // frame-ancestors counts only from a header.
        var frameAncestors = httpHeaderOnlyCsp.GetValueOrDefault("frame-ancestors") ?? ["*"];
        var formAction = csp.GetValueOrDefault("form-action") ?? ["*"];
        var objectSrc = csp.GetValueOrDefault("object-src") ?? csp.GetValueOrDefault("default-src") ?? ["*"];
        var scriptSrc = csp.GetValueOrDefault("script-src") ?? csp.GetValueOrDefault("default-src") ?? ["*"];
        var styleSrc = csp.GetValueOrDefault("style-src") ?? csp.GetValueOrDefault("default-src") ?? ["*"];

        // A nonce or hash makes browsers ignore 'unsafe-inline'.
        foreach (var sourceList in new[] { scriptSrc, styleSrc })
        {
            if (StartsWithNonceOrHash(sourceList) && sourceList.Contains("'unsafe-inline'"))
            {
                sourceList.Remove("'unsafe-inline'");
            }
        }

        // 'strict-dynamic' with a nonce or hash makes browsers ignore scheme and host sources, 'self' and 'unsafe-inline'.
        if (StartsWithNonceOrHash(scriptSrc) && scriptSrc.Contains("'strict-dynamic'"))
        {
            scriptSrc.RemoveWhere(source =>
                DangerouslyBroad.Any(broad => source.StartsWith(broad, StringComparison.Ordinal)) || source is "'self'" or "'unsafe-inline'");
            flags.StrictDynamic = true;
        }
        else if (scriptSrc.Contains("'strict-dynamic'"))
        {
            output.Result ??= Expectation.CspHeaderInvalid;
        }

        var activeSources = csp
            .Where(pair => !PassiveDirectives.Contains(pair.Key) && pair.Key != "script-src")
            .SelectMany(pair => pair.Value)
            .Concat(scriptSrc)
            .ToList();
        var passiveSources = PassiveDirectives
            .SelectMany(directive => csp.GetValueOrDefault(directive) ?? csp.GetValueOrDefault("default-src") ?? [])
            .ToList();

        // No 'unsafe-inline' or data: in script-src, and no overly broad source in script-src or object-src.
        if (scriptSrc.Any(DangerouslyBroadAndUnsafeInline.Contains) || objectSrc.Any(DangerouslyBroad.Contains))
        {
            output.Result ??= Expectation.CspImplementedWithUnsafeInline;
            flags.UnsafeInline = true;
        }

        // Observatory's session URL: an https site should not allow http: or ftp: for active content.
        if (requests.SessionIsHttps && activeSources.Any(IsInsecureScheme))
        {
            output.Result ??= Expectation.CspImplementedWithInsecureScheme;
            flags.InsecureSchemeActive = true;
        }

        if (scriptSrc.Contains("'unsafe-eval'") || styleSrc.Contains("'unsafe-eval'"))
        {
            output.Result ??= Expectation.CspImplementedWithUnsafeEval;
            flags.UnsafeEval = true;
        }

        if (requests.SessionIsHttps && passiveSources.Any(IsInsecureScheme))
        {
            output.Result ??= Expectation.CspImplementedWithInsecureSchemeInPassiveContentOnly;
            flags.InsecureSchemePassive = true;
        }

        if (styleSrc.Any(DangerouslyBroadAndUnsafeInline.Contains))
        {
            output.Result ??= Expectation.CspImplementedWithUnsafeInlineInStyleSrcOnly;
            flags.UnsafeInlineStyle = true;
        }

        if (csp.GetValueOrDefault("default-src") is { Count: 1 } defaultSrc && defaultSrc.Contains("'none'"))
        {
            output.Result ??= Expectation.CspImplementedWithNoUnsafeDefaultSrcNone;
            flags.DefaultNone = true;
        }
        else
        {
            output.Result ??= Expectation.CspImplementedWithNoUnsafe;
        }

        flags.AntiClickjacking = !frameAncestors.Any(DangerouslyBroad.Contains);
        flags.InsecureBaseUri = baseUri.Any(DangerouslyBroadAndUnsafeInline.Contains);
        flags.InsecureFormAction = formAction.Any(DangerouslyBroad.Contains);
        flags.UnsafeObjects = objectSrc.Any(DangerouslyBroad.Contains);

        // A passing policy with repeated report-uri/report-to says so.
        if (output.Result == expectation
            || output.Result is Expectation.CspImplementedWithNoUnsafeDefaultSrcNone
                or Expectation.CspImplementedWithUnsafeInlineInStyleSrcOnly
                or Expectation.CspImplementedWithInsecureSchemeInPassiveContentOnly)
        {
            output.Pass = true;
            if (csp.ContainsKey(CspParser.DuplicateWarningsKey))
            {
                output.Result = Expectation.CspImplementedButDuplicateDirectives;
            }
        }

        output.Policy = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (directive, sources) in csp)
        {
            if (directive != CspParser.DuplicateWarningsKey)
            {
                output.Policy[directive] = [.. sources.Order(StringComparer.Ordinal)];
            }
        }

        return output;
    }

    private static bool StartsWithNonceOrHash(IEnumerable<string> sources) =>
        sources.Any(source => NoncesAndHashes.Any(prefix => source.StartsWith(prefix, StringComparison.Ordinal)));

    private static bool IsInsecureScheme(string source) =>
        source.StartsWith("http:", StringComparison.Ordinal) || source.StartsWith("ftp:", StringComparison.Ordinal);
}
