namespace Scanner.Observatory;

/// <summary>Observatory's result strings (src/types.js, Expectation).</summary>
public static class Expectation
{
    public const string CspImplementedWithNoUnsafe = "csp-implemented-with-no-unsafe";
    public const string CspImplementedWithNoUnsafeDefaultSrcNone = "csp-implemented-with-no-unsafe-default-src-none";
    public const string CspImplementedWithUnsafeInlineInStyleSrcOnly = "csp-implemented-with-unsafe-inline-in-style-src-only";
    public const string CspImplementedWithInsecureSchemeInPassiveContentOnly = "csp-implemented-with-insecure-scheme-in-passive-content-only";
    public const string CspImplementedWithUnsafeInline = "csp-implemented-with-unsafe-inline";
    public const string CspImplementedWithUnsafeEval = "csp-implemented-with-unsafe-eval";
    public const string CspImplementedWithInsecureScheme = "csp-implemented-with-insecure-scheme";
    public const string CspHeaderInvalid = "csp-header-invalid";
    public const string CspNotImplemented = "csp-not-implemented";
    public const string CspNotImplementedButReportingEnabled = "csp-not-implemented-but-reporting-enabled";
    public const string CspImplementedButDuplicateDirectives = "csp-implemented-but-duplicate-directives";

    public const string SriImplementedAndAllScriptsLoadedSecurely = "sri-implemented-and-all-scripts-loaded-securely";
    public const string SriImplementedAndExternalScriptsLoadedSecurely = "sri-implemented-and-external-scripts-loaded-securely";
    public const string SriImplementedButExternalScriptsNotLoadedSecurely = "sri-implemented-but-external-scripts-not-loaded-securely";
    public const string SriNotImplementedAndExternalScriptsNotLoadedSecurely = "sri-not-implemented-and-external-scripts-not-loaded-securely";
    public const string SriNotImplementedButAllScriptsLoadedFromSecureOrigin = "sri-not-implemented-but-all-scripts-loaded-from-secure-origin";
    public const string SriNotImplementedButExternalScriptsLoadedSecurely = "sri-not-implemented-but-external-scripts-loaded-securely";
    public const string SriNotImplementedButNoScriptsLoaded = "sri-not-implemented-but-no-scripts-loaded";
    public const string SriNotImplementedResponseNotHtml = "sri-not-implemented-response-not-html";

    public const string HtmlNotParseable = "html-not-parseable";

    public const string HstsHeaderInvalid = "hsts-header-invalid";
    public const string HstsImplementedMaxAgeAtLeastSixMonths = "hsts-implemented-max-age-at-least-six-months";
    public const string HstsImplementedMaxAgeLessThanSixMonths = "hsts-implemented-max-age-less-than-six-months";
    public const string HstsInvalidCert = "hsts-invalid-cert";
    public const string HstsNotImplementedNoHttps = "hsts-not-implemented-no-https";
    public const string HstsNotImplemented = "hsts-not-implemented";
    public const string HstsPreloaded = "hsts-preloaded";

    public const string CookiesAnticsrfWithoutSamesiteFlag = "cookies-anticsrf-without-samesite-flag";
    public const string CookiesNotFound = "cookies-not-found";
    public const string CookiesSamesiteFlagInvalid = "cookies-samesite-flag-invalid";
    public const string CookiesSecureWithHttponlySessionsAndSamesite = "cookies-secure-with-httponly-sessions-and-samesite";
    public const string CookiesSecureWithHttponlySessions = "cookies-secure-with-httponly-sessions";
    public const string CookiesSessionWithoutHttponlyFlag = "cookies-session-without-httponly-flag";
    public const string CookiesSessionWithoutSecureFlagButProtectedByHsts = "cookies-session-without-secure-flag-but-protected-by-hsts";
    public const string CookiesSessionWithoutSecureFlag = "cookies-session-without-secure-flag";
    public const string CookiesWithoutSecureFlagButProtectedByHsts = "cookies-without-secure-flag-but-protected-by-hsts";
    public const string CookiesWithoutSecureFlag = "cookies-without-secure-flag";

    public const string XFrameOptionsAllowFromOrigin = "x-frame-options-allow-from-origin";
    public const string XFrameOptionsHeaderInvalid = "x-frame-options-header-invalid";
    public const string XFrameOptionsImplementedViaCsp = "x-frame-options-implemented-via-csp";
    public const string XFrameOptionsNotImplemented = "x-frame-options-not-implemented";
    public const string XFrameOptionsSameoriginOrDeny = "x-frame-options-sameorigin-or-deny";

    public const string RedirectionToHttps = "redirection-to-https";
    public const string RedirectionNotToHttps = "redirection-not-to-https";
    public const string RedirectionNotToHttpsOnInitialRedirection = "redirection-not-to-https-on-initial-redirection";
    public const string RedirectionMissing = "redirection-missing";
    public const string RedirectionNotNeededNoHttp = "redirection-not-needed-no-http";
    public const string RedirectionOffHostFromHttp = "redirection-off-host-from-http";
    public const string RedirectionInvalidCert = "redirection-invalid-cert";
    public const string RedirectionAllRedirectsPreloaded = "redirection-all-redirects-preloaded";

    public const string ReferrerPolicyPrivate = "referrer-policy-private";
    public const string ReferrerPolicyUnsafe = "referrer-policy-unsafe";
    public const string ReferrerPolicyNotImplemented = "referrer-policy-not-implemented";
    public const string ReferrerPolicyHeaderInvalid = "referrer-policy-header-invalid";

    public const string XContentTypeOptionsNosniff = "x-content-type-options-nosniff";
    public const string XContentTypeOptionsNotImplemented = "x-content-type-options-not-implemented";
    public const string XContentTypeOptionsHeaderInvalid = "x-content-type-options-header-invalid";

    public const string CrossOriginResourceSharingNotImplemented = "cross-origin-resource-sharing-not-implemented";
    public const string CrossOriginResourceSharingImplementedWithPublicAccess = "cross-origin-resource-sharing-implemented-with-public-access";
    public const string CrossOriginResourceSharingImplementedWithRestrictedAccess = "cross-origin-resource-sharing-implemented-with-restricted-access";
    public const string CrossOriginResourceSharingImplementedWithUniversalAccess = "cross-origin-resource-sharing-implemented-with-universal-access";

    public const string CrossOriginResourcePolicyNotImplemented = "corp-not-implemented";
    public const string CrossOriginResourcePolicyImplementedWithSameOrigin = "corp-implemented-with-same-origin";
    public const string CrossOriginResourcePolicyImplementedWithSameSite = "corp-implemented-with-same-site";
    public const string CrossOriginResourcePolicyImplementedWithCrossOrigin = "corp-implemented-with-cross-origin";
    public const string CrossOriginResourcePolicyHeaderInvalid = "corp-header-invalid";

    /// <summary>utils.js onlyIfWorse: the new result when it comes later in <paramref name="order"/> (best to worst), else the old.</summary>
    internal static string OnlyIfWorse(string newResult, string? oldResult, IReadOnlyList<string> order) =>
        oldResult is null || IndexOf(order, newResult) > IndexOf(order, oldResult) ? newResult : oldResult;

    private static int IndexOf(IReadOnlyList<string> order, string value)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}
