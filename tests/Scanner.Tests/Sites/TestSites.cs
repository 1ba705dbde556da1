namespace Scanner.Tests.Sites;

/// <summary>
/// The two reference sites the scanner is graded against. Both are deliberate: every header is there (or missing)
/// for a reason written next to it, and the grading tests rely on exactly this.
/// </summary>
public static class TestSites
{
    /// <summary>The fingerprinted script the hardened page loads.</summary>
    public const string HardenedScript = "/assets/app.3f2a9c1b.js";

    /// <summary>The fingerprinted stylesheet the hardened page loads.</summary>
    public const string HardenedStylesheet = "/assets/app.5d7e0a12.css";

    public const string HardenedCookie = "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict";

    public const string HardenedContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public const string HardenedStrictTransportSecurity = "max-age=63072000; includeSubDomains; preload";

    public const string WeakCookie = "sessionid=abc123; Path=/";

    public const string WeakContentSecurityPolicy = "script-src 'self' 'unsafe-inline' 'unsafe-eval'";

    public const string WeakPoweredBy = "PHP/7.4.3";

    /// <summary>The name on the weak site's certificate; the site is reached as localhost, so it never matches.</summary>
    public const string WeakCertificateName = "weak.example";

    /// <summary>How long the hardened site's certificate lasts, like a Let's Encrypt one.</summary>
    public static readonly TimeSpan HardenedCertificateLifetime = TimeSpan.FromDays(90);

    /// <summary>
    /// Everything right: HTTPS only (plain HTTP answers 301 to the same host's HTTPS port), TLS 1.2/1.3, a certificate
    /// from the test CA for localhost, every security header on every response, a __Host- cookie, gzip, immutable
    /// fingerprinted assets, security.txt, no dotfiles, no listings, no version in Server, no answer to a foreign Host.
    /// </summary>
    public static SiteDefinition Hardened { get; } = new(
        "hardened",
        layout => $$"""
            # A Host other than the site's own is refused on both listeners (444 closes the connection unanswered).
            server {
                listen 127.0.0.1:{{layout.HttpPort}} default_server;
                listen 127.0.0.1:{{layout.HttpsPort}} ssl default_server;
                server_name _;
                ssl_certificate {{layout.CertificatePath}};
                ssl_certificate_key {{layout.KeyPath}};
                return 444;
            }

            # Plain HTTP only redirects: permanently, to the same host on the HTTPS port, path and query kept.
            server {
                listen 127.0.0.1:{{layout.HttpPort}};
                server_name localhost;
                server_tokens off;
                return 301 https://$host:{{layout.HttpsPort}}$request_uri;
            }

            server {
                listen 127.0.0.1:{{layout.HttpsPort}} ssl;
                server_name localhost;
                root {{layout.Root}};

                # "Server: nginx" without the version.
                server_tokens off;

                # TLS 1.2 and 1.3 only, Mozilla's intermediate suites for an ECDSA key.
                ssl_certificate {{layout.CertificatePath}};
                ssl_certificate_key {{layout.KeyPath}};
                ssl_protocols TLSv1.2 TLSv1.3;
                ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305;
                ssl_prefer_server_ciphers off;
                ssl_session_tickets off;

                # No directory listings; UTF-8 declared on text.
                autoindex off;
                charset utf-8;

                # Text compresses (text/html always does when gzip is on); images and the like do not.
                gzip on;
                gzip_vary on;
                gzip_min_length 256;
                gzip_types text/plain text/css application/javascript application/json image/svg+xml;

                # Every response, errors included, carries the security headers (conf/security-headers.conf).
                include security-headers.conf;

                # The page sets the session cookie: host-only (__Host-), whole site, HTTPS only, no script access, no cross-site sends.
                location = / {
                    include security-headers.conf;
                    add_header Set-Cookie "{{HardenedCookie}}" always;
                    try_files /index.html =404;
                }

                # Fingerprinted assets never change under their name: cache them for a year.
                location /assets/ {
                    include security-headers.conf;
                    add_header Cache-Control "public, max-age=31536000, immutable" always;
                }

                # security.txt is the one dotted path served.
                location ^~ /.well-known/ {
                }

                # Any other dotfile or dot-folder (.git, .env) does not exist.
                location ~ /\. {
                    return 404;
                }
            }
            """,
        new Dictionary<string, string>
        {
            // add_header is not inherited by a location that has its own, so each such location includes this too.
            ["conf/security-headers.conf"] = $$"""
                # Two years of HTTPS only, for every subdomain, and eligible for browsers' preload lists.
                add_header Strict-Transport-Security "{{HardenedStrictTransportSecurity}}" always;
                # Nothing loads unless listed; scripts, styles, images and fetches from this origin only; no plugins,
                # no <base>, no framing, forms post to this origin only.
                add_header Content-Security-Policy "{{HardenedContentSecurityPolicy}}" always;
                # Browsers keep the declared Content-Type.
                add_header X-Content-Type-Options "nosniff" always;
                # No framing (for browsers without CSP frame-ancestors).
                add_header X-Frame-Options "DENY" always;
                # No Referer leaves the site.
                add_header Referrer-Policy "no-referrer" always;
                # The page gets a browsing context group of its own.
                add_header Cross-Origin-Opener-Policy "same-origin" always;
                # Other origins may not embed these responses.
                add_header Cross-Origin-Resource-Policy "same-origin" always;

                """,
            ["html/index.html"] = $$"""
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Hardened test site</title>
                <link rel="stylesheet" href="{{HardenedStylesheet}}">
                <script src="{{HardenedScript}}" defer></script>
                </head>
                <body>
                <main>
                <h1>Hardened test site</h1>
                <p>Served by nginx with every header the scanner looks for. This paragraph is long enough for gzip to be worth it,
                so the page itself is compressed as well as its script and stylesheet.</p>
                </main>
                </body>
                </html>

                """,
            [$"html{HardenedScript}"] = """
                "use strict";
                document.addEventListener("DOMContentLoaded", () => {
                    const heading = document.querySelector("h1");
                    if (heading) {
                        heading.dataset.ready = "true";
                    }
                });
                // Padding so gzip_min_length is passed: the asset is compressed like a real bundle.
                // ------------------------------------------------------------------------------------------------

                """,
            [$"html{HardenedStylesheet}"] = """
                :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
                body { margin: 0 auto; max-width: 40rem; padding: 1rem; line-height: 1.5; }
                h1 { font-size: 1.5rem; }
                /* Padding so gzip_min_length is passed: the asset is compressed like a real bundle. -------------- */

                """,
            ["html/.well-known/security.txt"] = $"""
                Contact: mailto:security@readiness.example
                Expires: {DateTimeOffset.UtcNow.AddDays(180):yyyy-MM-dd'T'HH:mm:ss'Z'}
                Preferred-Languages: en

                """,
            // Present on disk so the 404 proves the rule, not a missing file.
            ["html/.env"] = "SECRET=must-not-be-served\n",
            ["html/.git/HEAD"] = "ref: refs/heads/main\n",
        },
        authority => authority.IssueLocalhost(HardenedCertificateLifetime));

    /// <summary>
    /// Everything wrong: the page over plain HTTP without a redirect, TLS 1.0 and 1.1 accepted, an expired self-signed
    /// certificate for another name, versions disclosed, a weak CSP and no other security header, a cookie without
    /// flags, CORS reflecting any origin with credentials, an unpinned third-party script, no compression, secrets
    /// and a directory listing served.
    /// </summary>
    public static SiteDefinition Weak { get; } = new(
        "weak",
        layout => $$"""
            # One server for both listeners: plain HTTP serves the page itself, no redirect.
            server {
                listen 127.0.0.1:{{layout.HttpPort}};
                listen 127.0.0.1:{{layout.HttpsPort}} ssl;
                server_name {{WeakCertificateName}};
                root {{layout.Root}};

                # "Server: nginx/1.22.1": the version is disclosed.
                server_tokens on;

                # TLS 1.0 and 1.1 still on, any suite at all (security level 0 lets OpenSSL 3 offer them);
                # the certificate is self-signed, for weak.example, and expired.
                ssl_certificate {{layout.CertificatePath}};
                ssl_certificate_key {{layout.KeyPath}};
                ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
                ssl_ciphers ALL:@SECLEVEL=0;

                # No compression at all.
                gzip off;

                # The weak headers on every response (conf/weak-headers.conf); no HSTS, XCTO, XFO, Referrer-Policy, COOP, CORP.
                include weak-headers.conf;

                # A preflight is answered, so the reflected origin reaches the CORS check.
                if ($request_method = OPTIONS) {
                    return 204;
                }

                # The session cookie has no Secure, HttpOnly or SameSite.
                location = / {
                    include weak-headers.conf;
                    add_header Set-Cookie "{{WeakCookie}}" always;
                    try_files /index.html =404;
                }

                # Unversioned assets, revalidated on every use.
                location /assets/ {
                    include weak-headers.conf;
                    add_header Cache-Control "no-cache" always;
                }

                # A directory listing.
                location /files/ {
                    autoindex on;
                }

                # Nothing stops dotfiles: /.git/HEAD and /.env are served, and so is /appsettings.json.
                # No /.well-known/security.txt.
            }
            """,
        new Dictionary<string, string>
        {
            // add_header is not inherited by a location that has its own, so each such location includes this too.
            ["conf/weak-headers.conf"] = $$"""
                # The stack is disclosed.
                add_header X-Powered-By "{{WeakPoweredBy}}" always;
                # A CSP that allows inline script and eval, with no default-src, object-src or base-uri.
                add_header Content-Security-Policy "{{WeakContentSecurityPolicy}}" always;
                # CORS echoes whatever Origin asks (nothing when none is sent) and allows credentials.
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Credentials "true" always;
                add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;

                """,
            ["html/index.html"] = """
                <!doctype html>
                <html>
                <head>
                <title>Weak test site</title>
                <link rel="stylesheet" href="/assets/app.css">
                <script src="/assets/app.js"></script>
                <script src="https://cdn.example.com/lib.js"></script>
                <script>document.write("inline script");</script>
                </head>
                <body>
                <h1>Weak test site</h1>
                <form action="http://weak.example/login" method="post"><input name="password" type="password"></form>
                </body>
                </html>

                """,
            ["html/assets/app.js"] = "eval(\"console.log('weak')\");\n",
            ["html/assets/app.css"] = "body { font-family: sans-serif; }\n",
            ["html/.git/HEAD"] = "ref: refs/heads/main\n",
            ["html/.git/config"] = "[core]\n\trepositoryformatversion = 0\n",
            ["html/.env"] = "DB_PASSWORD=hunter2\nAPP_KEY=base64:c2VjcmV0c2VjcmV0c2VjcmV0\n",
            ["html/appsettings.json"] = """
                {
                  "ConnectionStrings": { "Default": "Host=db;Username=app;Password=hunter2" },
                  "Logging": { "LogLevel": { "Default": "Debug" } }
                }

                """,
            ["html/files/backup-2024-01-01.sql"] = "-- dump\nCREATE TABLE users (id int, password text);\n",
            ["html/files/notes.txt"] = "internal notes\n",
        },
        _ => TestCertificateAuthority.SelfSigned(
            WeakCertificateName,
            DateTimeOffset.UtcNow.AddDays(-90),
            DateTimeOffset.UtcNow.AddDays(-1)));
}
