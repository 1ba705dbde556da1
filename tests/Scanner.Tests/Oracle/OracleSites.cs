using Scanner.Tests.Sites;

namespace Scanner.Tests.Oracle;

/// <summary>
/// Site variants for the agreement tests, each aimed at a branch of Observatory's analyzers where a port could go wrong.
/// All serve a page at / over HTTPS with a certificate from the test CA for localhost and 127.0.0.1.
/// </summary>
public static class OracleSites
{
    private const string OneYear = "max-age=31536000";

    private const string Script = "<script src=\"/app.js\"></script>";

    /// <summary>Every variant, by name.</summary>
    public static IReadOnlyDictionary<string, SiteDefinition> All { get; } = new[]
    {
        // 'unsafe-inline' only in style-src: csp-implemented-with-unsafe-inline-in-style-src-only (passes, 0);
        // frame-ancestors 'self' with no X-Frame-Options; CORP same-site; Referrer-Policy strict-origin-when-cross-origin.
        Site("style-src-unsafe-inline",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'self'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("Cross-Origin-Resource-Policy", "same-site"),
            ],
            Page("<style>body { color: navy; }</style>" + Script)),

        // HSTS for a day (under six months); X-Frame-Options SAMEORIGIN without any CSP; two Secure cookies without
        // SameSite, the session one HttpOnly: cookies-secure-with-httponly-sessions (no SameSite bonus).
        Site("short-hsts-sameorigin-no-samesite",
            [
                ("Strict-Transport-Security", "max-age=86400"),
                ("X-Frame-Options", "SAMEORIGIN"),
                ("X-Content-Type-Options", "nosniff"),
                ("Set-Cookie", "prefs=dark; Path=/; Secure"),
                ("Set-Cookie", "sessionid=abc; Path=/; Secure; HttpOnly"),
            ],
            Page(Script)),

        // A login session cookie without HttpOnly, and an anti-CSRF token without SameSite: the session one is worse.
        Site("session-cookie-without-httponly",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'self'"),
                ("Set-Cookie", "login_session=abc; Path=/; Secure; SameSite=Lax"),
                ("Set-Cookie", "csrftoken=xyz; Path=/; Secure"),
            ],
            Page(Script)),

        // The CSP only in <meta http-equiv> (its frame-ancestors is ignored there) and Referrer-Policy: unsafe-url.
        Site("meta-csp-referrer-unsafe-url",
            [
                ("Strict-Transport-Security", OneYear),
                ("Referrer-Policy", "unsafe-url"),
            ],
            Page(Script, head: "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; frame-ancestors 'none'\">")),

        // Plain HTTP redirects straight to https:// on another host (127.0.0.1, which the certificate also names).
        Site("redirect-to-another-host",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'none'; script-src 'self'"),
                ("X-Content-Type-Options", "nosniff"),
            ],
            Page(Script),
            plainHttp: layout => $"return 301 https://127.0.0.1:{layout.HttpsPort}$request_uri;"),

        // Plain HTTP redirects to another http:// path first, and only then to https://.
        Site("http-before-https",
            [
                ("Strict-Transport-Security", OneYear),
            ],
            Page(Script),
            plainHttp: layout => $$"""
                location = /next { return 301 https://$host:{{layout.HttpsPort}}/; }
                location / { return 302 http://$host:{{layout.HttpPort}}/next; }
                """),

        // CORP cross-origin; a third-party script with integrity over https; the CSP lists that CDN.
        Site("corp-cross-origin-third-party-sri",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'self'; script-src 'self' https://cdn.example.com; object-src 'none'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Cross-Origin-Resource-Policy", "cross-origin"),
            ],
            Page(Script + "<script src=\"https://cdn.example.com/lib.js\" integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\" crossorigin=\"anonymous\"></script>")),

        // Access-Control-Allow-Origin: * on everything, but nginx answers the preflight (OPTIONS of a static file) 405;
        // two CSP headers, which Node joins with ", ";
        // X-Content-Type-Options with a value that is not nosniff.
        Site("cors-public-two-csp-headers",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'self'"),
                ("Content-Security-Policy", "script-src 'self' 'unsafe-eval'"),
                ("X-Content-Type-Options", "sniff"),
                ("Access-Control-Allow-Origin", "*"),
            ],
            Page(Script)),

        // The same Access-Control-Allow-Origin: *, but the preflight is answered 204: Observatory sees it (public access).
        Site("cors-public-preflight-answered",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Access-Control-Allow-Origin", "*"),
            ],
            Page(Script),
            pageLocation: "if ($request_method = OPTIONS) { return 204; }"),

        // Only Content-Security-Policy-Report-Only; an http: script on the https page.
        Site("csp-report-only-insecure-script",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy-Report-Only", "default-src 'self'; report-uri /csp"),
                ("X-Frame-Options", "DENY"),
            ],
            Page(Script + "<script src=\"http://cdn.example.com/lib.js\"></script>")),

        // No cookie on the page; /robots.txt sets one without Secure (on a verified session Observatory's robots
        // request has no cookie jar); a SameSite value that is not Lax, Strict or None on the page's raw header.
        Site("robots-cookie-and-invalid-samesite",
            [
                ("Strict-Transport-Security", OneYear),
                ("Content-Security-Policy", "default-src 'self'"),
                ("Set-Cookie", "theme=1; Path=/; Secure; SameSite=Sometimes"),
            ],
            Page(Script),
            robotsCookie: "tracker=1; Path=/"),
    }.ToDictionary(site => site.Name);

    public static TheoryData<string> Names => [.. All.Keys];

    /// <summary>A page: the head's extra markup and a body.</summary>
    private static string Page(string scripts, string head = "") => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        {{head}}
        <title>Oracle variant</title>
        {{scripts}}
        </head>
        <body><h1>Oracle variant</h1></body>
        </html>

        """;

    /// <summary>
    /// A site whose HTTPS server sends <paramref name="headers"/> on every response it answers itself (add_header ...
    /// always at server level, so every location without add_header of its own inherits them).
    /// <paramref name="pageLocation"/> goes into <c>location = /</c>; <paramref name="robotsCookie"/> is set by /robots.txt.
    /// Plain HTTP redirects to the same host's HTTPS port unless <paramref name="plainHttp"/> says otherwise.
    /// </summary>
    private static SiteDefinition Site(
        string name,
        IReadOnlyList<(string Name, string Value)> headers,
        string page,
        Func<SiteLayout, string>? plainHttp = null,
        string? robotsCookie = null,
        string pageLocation = "")
    {
        var addHeaders = string.Join("\n", headers.Select(header => $"    add_header {header.Name} \"{header.Value}\" always;"));
        var robots = robotsCookie is null ? "" : $$"""
                location = /robots.txt {
                    add_header Set-Cookie "{{robotsCookie}}" always;
                    return 200 "User-agent: *\nDisallow:\n";
                }
            """;
        return new SiteDefinition(
            name,
            layout => $$"""
                server {
                    listen 127.0.0.1:{{layout.HttpPort}};
                    server_tokens off;
                    {{(plainHttp ?? (l => $"return 301 https://$host:{l.HttpsPort}$request_uri;"))(layout)}}
                }

                server {
                    listen 127.0.0.1:{{layout.HttpsPort}} ssl;
                    ssl_certificate {{layout.CertificatePath}};
                    ssl_certificate_key {{layout.KeyPath}};
                    root {{layout.Root}};
                    charset utf-8;
                    server_tokens off;
                {{addHeaders}}
                {{robots}}
                    location = / {
                        {{pageLocation}}
                        try_files /index.html =404;
                    }
                }
                """,
            new Dictionary<string, string>
            {
                ["html/index.html"] = page,
                ["html/app.js"] = "\"use strict\";\n",
            },
            authority => authority.IssueLocalhost(TimeSpan.FromDays(30)));
    }
}
