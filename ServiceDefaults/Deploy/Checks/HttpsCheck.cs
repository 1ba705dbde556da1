using System.Net;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>Browsers must remember to use HTTPS, and the service must not take plain HTTP from beyond this machine.</summary>
internal sealed class HttpsCheck : IDeployCheck
{
    private static readonly TimeSpan MinimumHstsMaxAge = TimeSpan.FromDays(180);

    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        var hsts = context.Services.GetRequiredService<IOptions<HstsOptions>>().Value;
        if (hsts.MaxAge < MinimumHstsMaxAge)
        {
            yield return new("RA-T001", DeploySeverity.Warning,
                $"HSTS max-age is {hsts.MaxAge.TotalDays:0} days; browsers forget HTTPS-only too soon.",
                $"configure HstsOptions.MaxAge to at least {MinimumHstsMaxAge.TotalDays:0} days.");
        }

        if (PlainHttpBeyondLoopback(context.Configuration) is { } binding)
        {
            yield return new("RA-T002", DeploySeverity.Warning,
                $"The service listens for plain HTTP beyond loopback ({binding}); clients reaching it directly send data unencrypted.",
                "listen on 127.0.0.1 behind the TLS proxy (ASPNETCORE_URLS=http://127.0.0.1:PORT) or add an https URL.");
        }
    }

    /// <summary>The first http binding that is not loopback: <c>ASPNETCORE_URLS</c> entries or <c>ASPNETCORE_HTTP_PORTS</c> (all interfaces).</summary>
    private static string? PlainHttpBeyondLoopback(IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration["http_ports"]))
        {
            return $"HTTP_PORTS={configuration["http_ports"]}";
        }

        return configuration["urls"]?
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(url => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !IsLoopback(url));
    }

    private static bool IsLoopback(string url)
    {
        // Kestrel's wildcards (*, +) are not valid URI hosts; they bind every interface.
        var host = url["http://".Length..].Split('/')[0];
        host = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
