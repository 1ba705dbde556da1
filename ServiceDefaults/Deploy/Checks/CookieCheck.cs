using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>The antiforgery and authentication cookies as they will be issued: host-only over HTTPS, out of script's reach, not sent cross-site.</summary>
internal sealed class CookieCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        var antiforgery = context.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie;
        if (Weakness(antiforgery) is { } antiforgeryWeakness)
        {
            yield return new("RA-C001", DeploySeverity.Error, $"The antiforgery cookie {antiforgeryWeakness}.",
                "configure AntiforgeryOptions.Cookie as ServiceDefaults' HardenedCookies does (__Host- name, Secure always, HttpOnly, SameSite Strict).");
        }

        // Options of the default cookie scheme, with everything PostConfigureAll applies to any scheme.
        var authentication = context.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie;
        if (Weakness(authentication) is { } authenticationWeakness)
        {
            yield return new("RA-C002", DeploySeverity.Error, $"The authentication cookie {authenticationWeakness}.",
                "do not override the cookie settings ServiceDefaults' HardenedCookies applies to every cookie scheme.");
        }
    }

    /// <summary>What is wrong with the cookie, as the end of a sentence, or null.</summary>
    internal static string? Weakness(CookieBuilder cookie) =>
        cookie switch
        {
            { Name: var name } when name is null || !name.StartsWith("__Host-", StringComparison.Ordinal) => $"'{cookie.Name}' lacks the __Host- prefix",
            { SecurePolicy: not CookieSecurePolicy.Always } => "is not always Secure",
            { HttpOnly: false } => "is readable by scripts (HttpOnly off)",
            { SameSite: not (SameSiteMode.Strict or SameSiteMode.Lax) } => $"is sent on cross-site requests (SameSite {cookie.SameSite})",
            { Domain: not null } or { Path: not "/" } => "sets a Domain or a Path other than /, which __Host- cookies may not",
            _ => null,
        };
}
