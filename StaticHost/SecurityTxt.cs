using System.Globalization;

namespace StaticHost;

/// <summary>
/// <c>/.well-known/security.txt</c> (RFC 9116): where to report a vulnerability. Served rather than stored, so its
/// Expires is always ahead of the running deployment: the deployment vouches for the contact while it runs.
/// </summary>
public static class SecurityTxt
{
    public const string Path = "/.well-known/security.txt";

    private static readonly TimeSpan Validity = TimeSpan.FromDays(180);

    public static WebApplication MapSecurityTxt(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var time = app.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        app.MapGet(Path, (HttpContext http, IConfiguration configuration) =>
        {
            // SecurityTxt:Contact is the team's address; without one, security@ the host people reach us by.
            var contact = configuration["SecurityTxt:Contact"] ?? $"mailto:security@{http.Request.Host.Host}";
            var expires = time.GetUtcNow().UtcDateTime.Date + Validity;
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Text(
                $"""
                Contact: {contact}
                Expires: {expires.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}
                Preferred-Languages: en
                Canonical: {http.Request.Scheme}://{http.Request.Host}{Path}

                """,
                "text/plain; charset=utf-8");
        });
        return app;
    }
}
