namespace Scanner.Checks;

/// <summary>One kind of finding: its stable id, what it checks, how bad a failure is, the checklist item it evidences, and the fix.</summary>
public sealed record FindingDefinition(string Id, string Title, Severity Severity, string ChecklistItem, string Fix)
{
    public Finding Pass(string evidence) => new(Id, Title, Severity, true, evidence, ChecklistItem, "");

    /// <summary>A failure; <paramref name="severity"/> overrides the catalogue's when the evidence makes it milder or worse.</summary>
    public Finding Fail(string evidence, Severity? severity = null) => new(Id, Title, severity ?? Severity, false, evidence, ChecklistItem, Fix);

    public Finding Check(bool passed, string evidence) => passed ? Pass(evidence) : Fail(evidence);

    /// <summary>Nothing to check (no cookies, no third-party scripts): informational, so the checklist grade ignores it.</summary>
    public Finding NotApplicable(string evidence) => new(Id, Title, Severity.Info, true, evidence, ChecklistItem, "");

    /// <summary>The probe failed: informational and not passed, so it neither counts against the grade nor hides the gap.</summary>
    public Finding Unchecked(string reason) => new(Id, Title, Severity.Info, false, $"could not be checked: {reason}", ChecklistItem, "");
}

/// <summary>Every finding the scanner reports beyond Observatory's grade, in one place.</summary>
public static class FindingCatalogue
{
    // Transport: SEC-04 "HTTPS for all traffic".
    public static readonly FindingDefinition HttpsRedirect = new("https-redirect", "Plain HTTP redirects to HTTPS on the same host", Severity.High, "SEC-04",
        "Answer every plain-HTTP request with a 301 to https:// on the same host before any other redirect.");
    public static readonly FindingDefinition HstsMaxAge = new("hsts-max-age", "HSTS max-age of at least one year", Severity.Medium, "SEC-04",
        "Send Strict-Transport-Security: max-age=63072000; includeSubDomains; preload on HTTPS responses.");
    public static readonly FindingDefinition HstsIncludeSubDomains = new("hsts-include-subdomains", "HSTS covers subdomains", Severity.Low, "SEC-04",
        "Add includeSubDomains to Strict-Transport-Security once every subdomain serves HTTPS.");
    public static readonly FindingDefinition HstsPreload = new("hsts-preload", "HSTS ready for the preload list", Severity.Low, "SEC-04",
        "Add preload to Strict-Transport-Security and submit the domain at hstspreload.org.");

    // TLS: SEC-04.
    public static readonly FindingDefinition TlsProtocol = new("tls-protocol", "TLS 1.2 or later negotiated", Severity.High, "SEC-04",
        "Enable TLS 1.2 and 1.3 on the server (nginx: ssl_protocols TLSv1.2 TLSv1.3).");
    public static readonly FindingDefinition TlsLegacyProtocols = new("tls-legacy-protocols", "TLS 1.0 and 1.1 refused", Severity.High, "SEC-04",
        "Disable TLS 1.0 and 1.1 (nginx: ssl_protocols TLSv1.2 TLSv1.3).");
    public static readonly FindingDefinition TlsCertificateExpiry = new("tls-certificate-expiry", "Certificate valid for at least 30 more days", Severity.High, "SEC-04",
        "Renew the certificate, and automate renewal (ACME) so it renews 30 days before expiry.");
    public static readonly FindingDefinition TlsChainTrusted = new("tls-chain-trusted", "Certificate chain trusted", Severity.High, "SEC-04",
        "Serve the full chain (leaf and intermediates) from a publicly trusted CA.");
    public static readonly FindingDefinition TlsNameMatches = new("tls-name-matches", "Certificate covers the host name", Severity.High, "SEC-04",
        "Issue the certificate for this host name (subjectAltName).");

    // Page headers: SEC-06 "XSS and CSRF protection".
    public static readonly FindingDefinition CspPresent = new("csp-present", "Content-Security-Policy header set", Severity.High, "SEC-06",
        "Send a Content-Security-Policy header, starting from default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'.");
    public static readonly FindingDefinition CspScriptUnsafeInline = new("csp-script-unsafe-inline", "CSP script-src without 'unsafe-inline'", Severity.High, "SEC-06",
        "Remove 'unsafe-inline' from script-src (else default-src); move inline scripts to files or allow them by nonce or hash.");
    public static readonly FindingDefinition CspScriptUnsafeEval = new("csp-script-unsafe-eval", "CSP script-src without 'unsafe-eval'", Severity.Medium, "SEC-06",
        "Remove 'unsafe-eval' from script-src (else default-src) and stop using eval/new Function.");
    public static readonly FindingDefinition CspObjectSrc = new("csp-object-src", "CSP restricts plugins (object-src)", Severity.Medium, "SEC-06",
        "Add object-src 'none' to the Content-Security-Policy.");
    public static readonly FindingDefinition CspBaseUri = new("csp-base-uri", "CSP restricts <base> (base-uri)", Severity.Medium, "SEC-06",
        "Add base-uri 'none' (or 'self') to the Content-Security-Policy.");
    public static readonly FindingDefinition CspFrameAncestors = new("csp-frame-ancestors", "CSP frame-ancestors set", Severity.Medium, "SEC-06",
        "Add frame-ancestors 'none' (or 'self') to the Content-Security-Policy header.");
    public static readonly FindingDefinition XContentTypeOptions = new("x-content-type-options", "X-Content-Type-Options: nosniff", Severity.Medium, "SEC-06",
        "Send X-Content-Type-Options: nosniff on every response.");
    public static readonly FindingDefinition ClickjackingProtection = new("clickjacking-protection", "Framing restricted (X-Frame-Options or frame-ancestors)", Severity.Medium, "SEC-06",
        "Send X-Frame-Options: DENY, or CSP frame-ancestors 'none'.");
    public static readonly FindingDefinition CorsWildcardCredentials = new("cors-wildcard-credentials", "CORS does not combine * with credentials", Severity.High, "SEC-06",
        "Never send Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true; list the trusted origins.");
    public static readonly FindingDefinition CorsReflectedOrigin = new("cors-reflected-origin", "CORS does not reflect an arbitrary Origin", Severity.High, "SEC-06",
        "Compare Origin with an allow-list instead of echoing it into Access-Control-Allow-Origin.");
    public static readonly FindingDefinition SubresourceIntegrity = new("subresource-integrity", "Third-party scripts and stylesheets carry integrity", Severity.Medium, "SEC-06",
        "Add integrity=\"sha384-…\" crossorigin=\"anonymous\" to every script and stylesheet from another origin, or host them yourself.");

    // Cookies: SEC-06.
    public static readonly FindingDefinition CookieSecure = new("cookie-secure", "Cookies marked Secure", Severity.Medium, "SEC-06",
        "Set the Secure attribute on every cookie (ASP.NET Core: CookieSecurePolicy.Always).");
    public static readonly FindingDefinition CookieHttpOnly = new("cookie-httponly", "Session cookies marked HttpOnly", Severity.Medium, "SEC-06",
        "Set HttpOnly on session and authentication cookies so scripts cannot read them.");
    public static readonly FindingDefinition CookieSameSite = new("cookie-samesite", "Cookies declare SameSite", Severity.Low, "SEC-06",
        "Set SameSite=Lax (or Strict) on every cookie; SameSite=None only with Secure and a reason.");
    public static readonly FindingDefinition CookiePrefix = new("cookie-host-prefix", "__Host-/__Secure- cookies meet their prefix rules", Severity.Medium, "SEC-06",
        "Give __Host- cookies Secure and Path=/ and no Domain; give __Secure- cookies Secure.");

    // Edge: WEB-03 "Security at the edge".
    public static readonly FindingDefinition ReferrerPolicy = new("referrer-policy", "Referrer-Policy keeps URLs private", Severity.Low, "WEB-03",
        "Send Referrer-Policy: strict-origin-when-cross-origin (or no-referrer).");
    public static readonly FindingDefinition CrossOriginOpenerPolicy = new("cross-origin-opener-policy", "Cross-Origin-Opener-Policy set", Severity.Low, "WEB-03",
        "Send Cross-Origin-Opener-Policy: same-origin.");
    public static readonly FindingDefinition CrossOriginResourcePolicy = new("cross-origin-resource-policy", "Cross-Origin-Resource-Policy set", Severity.Low, "WEB-03",
        "Send Cross-Origin-Resource-Policy: same-origin (same-site if other subdomains embed it).");
    public static readonly FindingDefinition ServerVersion = new("server-version", "Server header hides the version", Severity.Low, "WEB-03",
        "Stop announcing the version (nginx: server_tokens off; Kestrel: AddServerHeader = false).");
    public static readonly FindingDefinition PoweredByVersion = new("x-powered-by-version", "X-Powered-By hides the version", Severity.Low, "WEB-03",
        "Remove X-Powered-By at the proxy (nginx: proxy_hide_header X-Powered-By).");
    public static readonly FindingDefinition SecurityTxt = new("security-txt", "/.well-known/security.txt with a Contact", Severity.Low, "WEB-03",
        "Publish /.well-known/security.txt with Contact: and a future Expires: (RFC 9116).");

    // Exposed files: SEC-01 (secrets) and SEC-05 (database credentials).
    public static readonly FindingDefinition ExposedGit = new("exposed-git", "/.git/ not served", Severity.Critical, "SEC-01",
        "Deny /.git at the proxy (nginx: location ~ /\\.git { deny all; }) and deploy build output, not the repository.");
    public static readonly FindingDefinition ExposedEnv = new("exposed-env", "/.env not served", Severity.Critical, "SEC-01",
        "Remove .env from the web root and deny dotfiles at the proxy (nginx: location ~ /\\. { deny all; }); rotate its secrets.");
    public static readonly FindingDefinition ExposedAppSettings = new("exposed-appsettings", "/appsettings.json not served", Severity.Critical, "SEC-05",
        "Keep appsettings*.json out of the web root and serve only wwwroot; rotate any credentials it held.");

    // Debug surfaces: SEC-02 "Debug mode disabled in production".
    public static readonly FindingDefinition DebugErrorPage = new("debug-error-page", "No developer or debug error page", Severity.High, "SEC-02",
        "Run with ASPNETCORE_ENVIRONMENT=Production (no UseDeveloperExceptionPage) / Django DEBUG = False.");
    public static readonly FindingDefinition DirectoryListing = new("directory-listing", "No directory listings", Severity.Medium, "SEC-02",
        "Turn directory listing off (nginx: autoindex off; ASP.NET Core: no UseDirectoryBrowser).");
    public static readonly FindingDefinition TraceMethod = new("trace-method", "TRACE method disabled", Severity.Medium, "SEC-02",
        "Refuse TRACE at the proxy (nginx: if ($request_method = TRACE) { return 405; }).");

    // Host names: SEC-03 "Allowed host names restricted".
    public static readonly FindingDefinition ForeignHost = new("foreign-host-header", "Requests for a foreign Host are refused", Severity.Medium, "SEC-03",
        "Answer unknown Host names with 400/421 or close (nginx: default_server with return 444; ASP.NET Core: AllowedHosts).");

    // Delivery: WEB-02 (the proxy serves static files well) and MED-01 (faster load times).
    public static readonly FindingDefinition Compression = new("compression", "Text responses compressed", Severity.Low, "WEB-02",
        "Compress text responses at the proxy (nginx: gzip on; brotli on) or with ASP.NET Core response compression.");
    public static readonly FindingDefinition AssetCaching = new("asset-caching", "Fingerprinted assets cached for a year", Severity.Low, "MED-01",
        "Serve fingerprinted assets with Cache-Control: public, max-age=31536000, immutable.");

    public static IReadOnlyList<FindingDefinition> All { get; } =
    [
        HttpsRedirect, HstsMaxAge, HstsIncludeSubDomains, HstsPreload,
        TlsProtocol, TlsLegacyProtocols, TlsCertificateExpiry, TlsChainTrusted, TlsNameMatches,
        CspPresent, CspScriptUnsafeInline, CspScriptUnsafeEval, CspObjectSrc, CspBaseUri, CspFrameAncestors,
        XContentTypeOptions, ClickjackingProtection, CorsWildcardCredentials, CorsReflectedOrigin, SubresourceIntegrity,
        CookieSecure, CookieHttpOnly, CookieSameSite, CookiePrefix,
        ReferrerPolicy, CrossOriginOpenerPolicy, CrossOriginResourcePolicy, ServerVersion, PoweredByVersion, SecurityTxt,
        ExposedGit, ExposedEnv, ExposedAppSettings,
        DebugErrorPage, DirectoryListing, TraceMethod,
        ForeignHost,
        Compression, AssetCaching,
    ];

    /// <summary>Findings about the page a browser renders; for an API they are reported as Info (see <see cref="Grading.ProfileGrader"/>).</summary>
    public static IReadOnlySet<string> PageOnly { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        CspPresent.Id, CspScriptUnsafeInline.Id, CspScriptUnsafeEval.Id, CspObjectSrc.Id, CspBaseUri.Id, CspFrameAncestors.Id,
        SubresourceIntegrity.Id, AssetCaching.Id,
    };

    public static FindingDefinition? Find(string id) => All.FirstOrDefault(definition => definition.Id == id);
}
