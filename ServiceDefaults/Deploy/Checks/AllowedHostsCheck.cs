using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>Without a host list, any Host header is served, which enables cache poisoning and password-reset link forgery.</summary>
internal sealed class AllowedHostsCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        // The effective list: the web host turns a missing AllowedHosts into "*".
        var allowed = context.Services.GetRequiredService<IOptions<HostFilteringOptions>>().Value.AllowedHosts;
        if (allowed.Count == 0 || allowed.Contains("*"))
        {
            yield return new("RA-H001", DeploySeverity.Error,
                "AllowedHosts accepts any Host header ('*' or not set).",
                "set AllowedHosts to the served host names, ';'-separated, e.g. AllowedHosts=readiness.example.com;localhost;127.0.0.1.");
        }
    }
}
