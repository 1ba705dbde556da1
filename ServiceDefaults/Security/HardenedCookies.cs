using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Security;

/// <summary>
/// Cookies a browser can only send back over HTTPS to exactly this host (<c>__Host-</c>: Secure, Path=/, no Domain),
/// out of script's reach, and not on cross-site requests. Applies to the antiforgery cookie now and to the
/// authentication cookie of any scheme a later feature adds.
/// </summary>
public static class HardenedCookies
{
    public const string AntiforgeryCookieName = "__Host-ra-antiforgery";
    public const string AuthenticationCookieName = "__Host-ra-auth";
    public const string AntiforgeryHeaderName = "X-CSRF-TOKEN";

    internal static IServiceCollection AddHardenedCookies(this IServiceCollection services)
    {
        services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeaderName;
            Harden(options.Cookie, AntiforgeryCookieName, SameSiteMode.Strict);
        });

        // PostConfigureAll reaches every cookie scheme, whatever its name and whenever it is added.
        services.PostConfigureAll<CookieAuthenticationOptions>(options =>
            // Lax, not Strict: a user following a link to the site from elsewhere should arrive signed in.
            Harden(options.Cookie, AuthenticationCookieName, SameSiteMode.Lax));

        // Any other cookie an endpoint appends gets at least these flags.
        services.Configure<CookiePolicyOptions>(options =>
        {
            options.Secure = CookieSecurePolicy.Always;
            options.HttpOnly = HttpOnlyPolicy.Always;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
        });

        return services;
    }

    private static void Harden(CookieBuilder cookie, string name, SameSiteMode sameSite)
    {
        cookie.Name = name;
        cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.HttpOnly = true;
        cookie.SameSite = sameSite;
        cookie.Path = "/";
        cookie.Domain = null;
    }
}
