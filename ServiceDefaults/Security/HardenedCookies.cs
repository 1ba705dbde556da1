using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

        // Reaches every cookie scheme, whatever its name and whenever it is added. Each scheme keeps a cookie of its own:
        // sharing one name, a helper scheme (Identity keeps a passkey ceremony's state in one) would overwrite the session.
        // Lax, not Strict: a user following a link to the site from elsewhere should arrive signed in.
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, HardenedAuthenticationCookies>();

        // Any other cookie an endpoint appends gets at least these flags.
        services.Configure<CookiePolicyOptions>(options =>
        {
            options.Secure = CookieSecurePolicy.Always;
            options.HttpOnly = HttpOnlyPolicy.Always;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
        });

        return services;
    }

    /// <summary>
    /// The session's cookie for the main scheme (Identity's application scheme, or the cookie handler's default);
    /// every other scheme's cookie is named after its scheme, e.g. <c>__Host-ra-identity-twofactoruserid</c>.
    /// </summary>
    public static string AuthenticationCookieNameFor(string? scheme) =>
        scheme is null or "Identity.Application" or CookieAuthenticationDefaults.AuthenticationScheme
            ? AuthenticationCookieName
            : "__Host-ra-" + new string([.. scheme.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    private sealed class HardenedAuthenticationCookies : IPostConfigureOptions<CookieAuthenticationOptions>
    {
        public void PostConfigure(string? name, CookieAuthenticationOptions options) =>
            Harden(options.Cookie, AuthenticationCookieNameFor(name), SameSiteMode.Lax);
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
