using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using ServiceDefaults.Security;

namespace WebApi.OpenApi;

/// <summary>The document's title, version, description and server, and the two ways a client authenticates.</summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    /// <summary>The browser's session: the authentication cookie, plus the antiforgery header on writes.</summary>
    public const string CookieScheme = "cookie";

    /// <summary>The antiforgery token a cookie-authenticated write must also carry.</summary>
    public const string AntiforgeryScheme = "antiforgery";

    /// <summary>Personal access tokens for scripts and API clients.</summary>
    public const string BearerScheme = "bearer";

    private const string Description = $"""
        Production-readiness checklists for services.

        **Authentication.** Browsers use the session cookie `{HardenedCookies.AuthenticationCookieName}`. A request
        that carries cookies and changes state (POST, PUT, PATCH, DELETE) must also send the antiforgery token: get it
        from `GET {AntiforgeryTokenEndpoint.Path}` (which also sets the `{HardenedCookies.AntiforgeryCookieName}`
        cookie) and send it back in the `{HardenedCookies.AntiforgeryHeaderName}` header. Scripts and API clients
        send a personal access token instead, `Authorization: Bearer ra_pat_...`, and need no antiforgery token; the
        account's own tokens, its passkeys and sign-out take the session only, so a token cannot mint its successors.

        **Errors** are problem details (RFC 7807, `application/problem+json`). A 500 carries only a `traceId`.
        Every operation may also answer 429 (the proxy's rate limit) and 503 (the service is at capacity, or a
        dependency or every replica is unavailable), both with `Retry-After`.

        **Caching.** Reads send `ETag` and `Cache-Control`; send the tag back in `If-None-Match` to get 304.
        """;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);

        document.Info = new OpenApiInfo
        {
            Title = "ReadinessAspire API",
            Version = OpenApiExtensions.DocumentName,
            Description = Description,
        };

        // Relative, so it is right wherever the document was fetched: the generator's absolute URL comes from the
        // request's Host, which the proxy passes on without its port (https://localhost/ for https://localhost:8443).
        document.Servers = [new OpenApiServer { Url = "/", Description = "This host, where the document was fetched" }];

        document.AddComponent(CookieScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = HardenedCookies.AuthenticationCookieName,
            Description = $"The session cookie set at sign-in (HttpOnly, Secure, this host only). Writes also need `{HardenedCookies.AntiforgeryHeaderName}`.",
        });
        document.AddComponent(AntiforgeryScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = HardenedCookies.AntiforgeryHeaderName,
            Description = $"The request token from `GET {AntiforgeryTokenEndpoint.Path}`, required with the session cookie on POST, PUT, PATCH and DELETE.",
        });
        document.AddComponent(BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "ra_pat_...",
            Description = "A personal access token: `Authorization: Bearer ra_pat_...`.",
        });

        return Task.CompletedTask;
    }
}
