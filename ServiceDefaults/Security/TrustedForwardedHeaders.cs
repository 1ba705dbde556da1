using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Security;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies named in
/// <c>ForwardedHeaders:KnownProxies</c> (addresses) and <c>ForwardedHeaders:KnownNetworks</c> (CIDR), each a
/// list or a comma/semicolon-separated string. With neither set only loopback is trusted, where the proxy runs.
/// X-Forwarded-Host is ignored: the proxy passes the client's Host as Host, so host filtering sees it directly.
/// </summary>
public static class TrustedForwardedHeaders
{
    public const string KnownProxiesKey = "ForwardedHeaders:KnownProxies";
    public const string KnownNetworksKey = "ForwardedHeaders:KnownNetworks";

    internal static IServiceCollection AddTrustedForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // One proxy in front: only the address it appended counts, never ones the client put before it.
            options.ForwardLimit = 1;

            var proxies = configuration.GetList(KnownProxiesKey);
            var networks = configuration.GetList(KnownNetworksKey);
            if (proxies.Count == 0 && networks.Count == 0)
            {
                return; // The framework's defaults: 127.0.0.0/8 and ::1.
            }

            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                // Unparsable entries are left out here and reported by the deploy audit (RA-F002), which stops a Production start.
                if (IPAddress.TryParse(proxy, out var address))
                {
                    options.KnownProxies.Add(address);
                }
            }

            foreach (var network in networks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var parsed))
                {
                    options.KnownIPNetworks.Add(parsed);
                }
            }
        });

        return services;
    }
}
