using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Security;

/// <summary>
/// The web host already filters by the <c>AllowedHosts</c> setting (a missing setting means any host; the deploy
/// audit refuses that in Production). Here only the answer changes: a bare 400 instead of an HTML page.
/// </summary>
internal static class HostFilteringDefaults
{
    public static IServiceCollection AddHostFilteringDefaults(this IServiceCollection services) =>
        services.PostConfigure<HostFilteringOptions>(options => options.IncludeFailureMessage = false);
}
