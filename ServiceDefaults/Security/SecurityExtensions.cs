using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Deploy;
using ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What makes each service safe on its own, proxy or not: host filtering, trusted forwarded headers,
/// HTTPS and HSTS, a shared data-protection key ring, hardened cookies, CSRF checks and strict response headers.
/// </summary>
public static class SecurityExtensions
{
    public static TBuilder AddDefaultSecurity<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddHostFilteringDefaults();
        builder.Services.AddTrustedForwardedHeaders(builder.Configuration);
        builder.Services.AddHttpsDefaults();
        builder.Services.AddSharedDataProtection(builder.Configuration);
        builder.Services.AddHardenedCookies();
        builder.Services.AddProblemDetailsHardening();
        builder.Services.AddDeployAudit();

        return builder;
    }

    /// <summary>Call right after <c>UseDefaultExceptionHandling</c>, before any endpoint is mapped.</summary>
    public static WebApplication UseDefaultSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // First, so everything after it (HTTPS redirection, HSTS, logs, cookies) sees the client's real address and scheme.
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseHttpsDefaults();
        app.UseCookiePolicy();
        // A service that signs users in is authenticated before the CSRF check, because antiforgery tokens are bound
        // to the user they were issued to and would never match an anonymous request.
        if (app.Services.GetService<IAuthenticationSchemeProvider>() is not null)
        {
            app.UseAuthentication();
        }

        app.UseCsrfProtection();
        // Endpoints that bind forms carry antiforgery metadata and refuse to run unless this middleware ran.
        app.UseAntiforgery();

        return app;
    }
}
