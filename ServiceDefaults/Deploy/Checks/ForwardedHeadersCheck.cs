using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Security;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>X-Forwarded-* may only be believed from the proxy; trusting everyone lets any client choose its address and scheme.</summary>
internal sealed class ForwardedHeadersCheck : IDeployCheck
{
    private const string Fix = $"list only the proxy's addresses in {TrustedForwardedHeaders.KnownProxiesKey} or {TrustedForwardedHeaders.KnownNetworksKey}, and do not set ASPNETCORE_FORWARDEDHEADERS_ENABLED.";

    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        foreach (var proxy in context.Configuration.GetList(TrustedForwardedHeaders.KnownProxiesKey).Where(proxy => !IPAddress.TryParse(proxy, out _)))
        {
            yield return new("RA-F002", DeploySeverity.Error, $"{TrustedForwardedHeaders.KnownProxiesKey} has '{proxy}', which is not an IP address.", Fix);
        }

        foreach (var network in context.Configuration.GetList(TrustedForwardedHeaders.KnownNetworksKey).Where(network => !IPNetwork.TryParse(network, out _)))
        {
            yield return new("RA-F002", DeploySeverity.Error, $"{TrustedForwardedHeaders.KnownNetworksKey} has '{network}', which is not a CIDR network.", Fix);
        }

        // Effective options: ASPNETCORE_FORWARDEDHEADERS_ENABLED, for one, clears both lists.
        var options = context.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if ((options.KnownProxies.Count == 0 && options.KnownIPNetworks.Count == 0) || options.KnownIPNetworks.Any(network => network.PrefixLength == 0))
        {
            yield return new("RA-F001", DeploySeverity.Error,
                "Forwarded headers are trusted from any address, so a client can fake its IP address and scheme.", Fix);
        }
    }
}
