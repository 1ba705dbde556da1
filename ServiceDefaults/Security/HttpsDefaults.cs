using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Security;

/// <summary>
/// HTTPS for a service reached without the proxy. HSTS goes out on every HTTPS response outside Development
/// (a request the trusted proxy forwarded with X-Forwarded-Proto=https counts as HTTPS). Redirection to HTTPS runs
/// only when the service has an HTTPS port to redirect to, and never for health probes, which arrive over plain
/// HTTP on loopback from the orchestrator.
/// </summary>
internal static class HttpsDefaults
{
    public static readonly TimeSpan HstsMaxAge = TimeSpan.FromDays(365);

    public static IServiceCollection AddHttpsDefaults(this IServiceCollection services) =>
        services.AddHsts(options =>
        {
            options.MaxAge = HstsMaxAge;
            options.IncludeSubDomains = true;
        });

    public static WebApplication UseHttpsDefaults(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        if (HasHttpsPort(app.Configuration))
        {
            app.UseWhen(
                context => !context.Request.Path.StartsWithSegments(HealthCheckEndpoints.BasePath),
                branch => branch.UseHttpsRedirection());
        }

        return app;
    }

    /// <summary>An HTTPS port named for redirects (<c>https_port</c>, env <c>ASPNETCORE_HTTPS_PORT</c>/<c>HTTPS_PORT</c>) or an https URL Kestrel listens on.</summary>
    public static bool HasHttpsPort(IConfiguration configuration) =>
        // Configuration keys ignore case: this also finds HTTPS_PORT.
        !string.IsNullOrWhiteSpace(configuration["https_port"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || (configuration["urls"]?.Contains("https://", StringComparison.OrdinalIgnoreCase) ?? false);
}
