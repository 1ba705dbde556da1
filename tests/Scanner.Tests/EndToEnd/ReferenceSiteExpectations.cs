using Scanner.Tests.Sites;

namespace Scanner.Tests.EndToEnd;

/// <summary>
/// What Observatory's rubric and the scanner's checks should make of <see cref="TestSites.Hardened"/> and
/// <see cref="TestSites.Weak"/>, derived from the sites' configs and the rubric's source (mdn-http-observatory 1.4.8,
/// src/analyzer/tests/*.js and src/grader/charts.js), never from a scan's output. Tests are in ALL_TESTS order.
/// </summary>
public static class ReferenceSiteExpectations
{
    public static IReadOnlyList<ExpectedTest> HardenedObservatory { get; } =
    [
        // default-src 'none' alone, nothing unsafe, broad or http: anywhere: csp.js reaches the default-src 'none' branch; +10.
        new("content-security-policy", "csp-implemented-with-no-unsafe-default-src-none", true, 10),
        // One cookie, __Host-session (a session id: its name contains "sess"): Secure, HttpOnly and SameSite=Strict; +5.
        new("cookies", "cookies-secure-with-httponly-sessions-and-samesite", true, 5),
        // The preflight is answered 405 without Access-Control-Allow-Origin; 0.
        new("cross-origin-resource-sharing", "cross-origin-resource-sharing-not-implemented", true, 0),
        // http:// answers 301 to https:// on the same host (localhost) and that answers 200; the preload list is empty; 0.
        new("redirection", "redirection-to-https", true, 0),
        // Referrer-Policy: no-referrer is in referrer-policy.js's goodness list; +5.
        new("referrer-policy", "referrer-policy-private", true, 5),
        // max-age=63072000 (two years) over a verified https response, at least SIX_MONTHS (15552000); 0.
        new("strict-transport-security", "hsts-implemented-max-age-at-least-six-months", true, 0),
        // The page's one script is a relative /assets/ URL on an https session, without integrity; 0.
        new("subresource-integrity", "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", true, 0),
        // X-Content-Type-Options: nosniff; 0.
        new("x-content-type-options", "x-content-type-options-nosniff", true, 0),
        // The CSP header has frame-ancestors, which overrides X-Frame-Options: DENY's result; +5.
        new("x-frame-options", "x-frame-options-implemented-via-csp", true, 5),
        // Cross-Origin-Resource-Policy: same-origin; +10.
        new("cross-origin-resource-policy", "corp-implemented-with-same-origin", true, 10),
    ];

    public static IReadOnlyList<ExpectedTest> WeakObservatory { get; } =
    [
        // script-src has 'unsafe-inline' (and no object-src or default-src, so object-src is *): the first check hit; -20.
        new("content-security-policy", "csp-implemented-with-unsafe-inline", false, -20),
        // sessionid (contains "sess") has no Secure, and HSTS does not pass (invalid certificate): the worst of the
        // session results in goodness order, above the missing HttpOnly; -40.
        new("cookies", "cookies-session-without-secure-flag", false, -40),
        // The preflight echoes the Origin with credentials, but cors.js reads the request's Origin from
        // response.request.headers, which Node's ClientRequest does not have: "restricted", never "universal"; 0.
        new("cross-origin-resource-sharing", "cross-origin-resource-sharing-implemented-with-restricted-access", true, 0),
        // http:// serves the page itself (200, verified since plain http has no certificate): a route of one hop; -20.
        new("redirection", "redirection-missing", false, -20),
        // No Referrer-Policy header and no <meta name="referrer">: not implemented passes; 0.
        new("referrer-policy", "referrer-policy-not-implemented", true, 0),
        // The https response is there but unverified (expired, self-signed, another name): checked before the header; -20.
        new("strict-transport-security", "hsts-invalid-cert", false, -20),
        // https://cdn.example.com/lib.js is on another registrable domain, https, without integrity; -5.
        new("subresource-integrity", "sri-not-implemented-but-external-scripts-loaded-securely", false, -5),
        // No X-Content-Type-Options; -5.
        new("x-content-type-options", "x-content-type-options-not-implemented", false, -5),
        // No X-Frame-Options and no frame-ancestors in the CSP header; -20.
        new("x-frame-options", "x-frame-options-not-implemented", false, -20),
        // No Cross-Origin-Resource-Policy; not implemented passes; 0.
        new("cross-origin-resource-policy", "corp-not-implemented", true, 0),
    ];

    /// <summary>
    /// Every finding of a web scan of the hardened site, by id: true passes. All pass but one: the hardened site has a
    /// single server block per port, so nginx answers a foreign Host with that block (its default server) and the page.
    /// </summary>
    public static IReadOnlyDictionary<string, bool> HardenedFindings { get; } = new Dictionary<string, bool>
    {
        // 301 to https://localhost on the first hop; HSTS two years, includeSubDomains, preload.
        ["https-redirect"] = true,
        ["hsts-max-age"] = true,
        ["hsts-include-subdomains"] = true,
        ["hsts-preload"] = true,
        // TLS 1.2/1.3 only, a 90-day certificate for localhost from the (trusted) test CA.
        ["tls-protocol"] = true,
        ["tls-legacy-protocols"] = true,
        ["tls-certificate-expiry"] = true,
        ["tls-chain-trusted"] = true,
        ["tls-name-matches"] = true,
        // script-src 'self', object-src 'none', base-uri and frame-ancestors present.
        ["csp-present"] = true,
        ["csp-script-unsafe-inline"] = true,
        ["csp-script-unsafe-eval"] = true,
        ["csp-object-src"] = true,
        ["csp-base-uri"] = true,
        ["csp-frame-ancestors"] = true,
        ["x-content-type-options"] = true,
        ["clickjacking-protection"] = true,
        ["referrer-policy"] = true,
        ["cross-origin-opener-policy"] = true,
        ["cross-origin-resource-policy"] = true,
        // No Access-Control-Allow-Origin anywhere; "Server: nginx" without a version; no X-Powered-By.
        ["cors-wildcard-credentials"] = true,
        ["server-version"] = true,
        ["x-powered-by-version"] = true,
        // __Host-session: Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain.
        ["cookie-secure"] = true,
        ["cookie-httponly"] = true,
        ["cookie-samesite"] = true,
        ["cookie-host-prefix"] = true,
        // Only same-origin scripts and stylesheets: not applicable (Info, passed).
        ["subresource-integrity"] = true,
        // Dotfiles 404, /appsettings.json 404, nginx's plain 404 page, TRACE 405, security.txt with Contact and a future Expires.
        ["exposed-git"] = true,
        ["exposed-env"] = true,
        ["exposed-appsettings"] = true,
        ["debug-error-page"] = true,
        ["trace-method"] = true,
        ["security-txt"] = true,
        // No Access-Control-Allow-Origin for the probe Origin; the page is gzipped.
        ["cors-reflected-origin"] = true,
        ["compression"] = true,
        // Host: scanner-probe.invalid reaches the default server, which closes the connection unanswered (444).
        ["foreign-host-header"] = true,
        // autoindex off: /assets/ is 403, the usual directories 404; both fingerprinted assets cached a year.
        ["directory-listing"] = true,
        ["asset-caching"] = true,
    };

    /// <summary>Findings of the hardened scan that are not applicable there, so Info (and passed).</summary>
    public static IReadOnlySet<string> HardenedNotApplicable { get; } = new HashSet<string> { "subresource-integrity" };

    /// <summary>Every finding of a web scan of the weak site, by id: true passes.</summary>
    public static IReadOnlyDictionary<string, bool> WeakFindings { get; } = new Dictionary<string, bool>
    {
        // http:// answers 200 itself; the https response has no Strict-Transport-Security.
        ["https-redirect"] = false,
        ["hsts-max-age"] = false,
        ["hsts-include-subdomains"] = false,
        ["hsts-preload"] = false,
        // A modern client still gets TLS 1.2 (passes); TLS 1.0 and 1.1 accepted; the certificate expired yesterday,
        // is self-signed and names weak.example.
        ["tls-protocol"] = true,
        ["tls-legacy-protocols"] = false,
        ["tls-certificate-expiry"] = false,
        ["tls-chain-trusted"] = false,
        ["tls-name-matches"] = false,
        // A CSP header exists, but script-src allows inline and eval, and nothing sets object-src, base-uri or frame-ancestors.
        ["csp-present"] = true,
        ["csp-script-unsafe-inline"] = false,
        ["csp-script-unsafe-eval"] = false,
        ["csp-object-src"] = false,
        ["csp-base-uri"] = false,
        ["csp-frame-ancestors"] = false,
        ["x-content-type-options"] = false,
        ["clickjacking-protection"] = false,
        ["referrer-policy"] = false,
        ["cross-origin-opener-policy"] = false,
        ["cross-origin-resource-policy"] = false,
        // The echoed origin is never "*" (the page gets none: $http_origin is empty, so nginx adds no header).
        ["cors-wildcard-credentials"] = true,
        // "Server: nginx/1.22.1"-style version and X-Powered-By: PHP/7.4.3.
        ["server-version"] = false,
        ["x-powered-by-version"] = false,
        // sessionid: no Secure, no HttpOnly (session-like: "sess"/"sid"), no SameSite; no prefixed cookie (not applicable).
        ["cookie-secure"] = false,
        ["cookie-httponly"] = false,
        ["cookie-samesite"] = false,
        ["cookie-host-prefix"] = true,
        // https://cdn.example.com/lib.js without integrity.
        ["subresource-integrity"] = false,
        // /.git/HEAD, /.env and /appsettings.json served; nginx's 404 page has no debug markers; TRACE 405; no security.txt.
        ["exposed-git"] = false,
        ["exposed-env"] = false,
        ["exposed-appsettings"] = false,
        ["debug-error-page"] = true,
        ["trace-method"] = true,
        ["security-txt"] = false,
        // The probe Origin is echoed with credentials.
        ["cors-reflected-origin"] = false,
        // gzip off, but the page is under 1024 characters: too small to judge (Info, passed).
        ["compression"] = true,
        // One server for the port: a foreign Host gets the page.
        ["foreign-host-header"] = false,
        // /files/ is an autoindex listing; no fingerprinted assets (app.js, app.css): not applicable.
        ["directory-listing"] = false,
        ["asset-caching"] = true,
    };

    /// <summary>Findings of the weak scan that are not applicable there, so Info (and passed).</summary>
    public static IReadOnlySet<string> WeakNotApplicable { get; } = new HashSet<string> { "cookie-host-prefix", "compression", "asset-caching" };

    /// <summary>Findings an API profile reports as Info (FindingCatalogue.PageOnly, written out).</summary>
    public static IReadOnlySet<string> PageOnly { get; } = new HashSet<string>
    {
        "csp-present", "csp-script-unsafe-inline", "csp-script-unsafe-eval", "csp-object-src", "csp-base-uri", "csp-frame-ancestors",
        "subresource-integrity", "asset-caching",
    };

    /// <summary>Which checklist item each finding evidences (FindingCatalogue, written out).</summary>
    public static IReadOnlyDictionary<string, string> ChecklistItems { get; } = new Dictionary<string, string>
    {
        ["https-redirect"] = "SEC-04",
        ["hsts-max-age"] = "SEC-04",
        ["hsts-include-subdomains"] = "SEC-04",
        ["hsts-preload"] = "SEC-04",
        ["tls-protocol"] = "SEC-04",
        ["tls-legacy-protocols"] = "SEC-04",
        ["tls-certificate-expiry"] = "SEC-04",
        ["tls-chain-trusted"] = "SEC-04",
        ["tls-name-matches"] = "SEC-04",
        ["csp-present"] = "SEC-06",
        ["csp-script-unsafe-inline"] = "SEC-06",
        ["csp-script-unsafe-eval"] = "SEC-06",
        ["csp-object-src"] = "SEC-06",
        ["csp-base-uri"] = "SEC-06",
        ["csp-frame-ancestors"] = "SEC-06",
        ["x-content-type-options"] = "SEC-06",
        ["clickjacking-protection"] = "SEC-06",
        ["cors-wildcard-credentials"] = "SEC-06",
        ["cors-reflected-origin"] = "SEC-06",
        ["subresource-integrity"] = "SEC-06",
        ["cookie-secure"] = "SEC-06",
        ["cookie-httponly"] = "SEC-06",
        ["cookie-samesite"] = "SEC-06",
        ["cookie-host-prefix"] = "SEC-06",
        ["referrer-policy"] = "WEB-03",
        ["cross-origin-opener-policy"] = "WEB-03",
        ["cross-origin-resource-policy"] = "WEB-03",
        ["server-version"] = "WEB-03",
        ["x-powered-by-version"] = "WEB-03",
        ["security-txt"] = "WEB-03",
        ["exposed-git"] = "SEC-01",
        ["exposed-env"] = "SEC-01",
        ["exposed-appsettings"] = "SEC-05",
        ["debug-error-page"] = "SEC-02",
        ["directory-listing"] = "SEC-02",
        ["trace-method"] = "SEC-02",
        ["foreign-host-header"] = "SEC-03",
        ["compression"] = "WEB-02",
        ["asset-caching"] = "MED-01",
    };
}
