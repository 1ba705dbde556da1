using Microsoft.Extensions.Configuration;
using ServiceDefaults.Management;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>
/// The detailed health report and metrics name dependencies, versions and failures; they are served only on the
/// management port. The service listens there too (it is in ASPNETCORE_URLS by design), but public traffic must
/// have a port of its own: if the management port is the only one, every client reaches the details.
/// </summary>
internal sealed class HealthDetailsCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        if (ManagementEndpoints.GetPort(context.Configuration) is { } port
            && ListeningPorts(context.Configuration).ToList() is { Count: > 0 } listening
            && listening.All(p => p == port))
        {
            yield return new("RA-X002", DeploySeverity.Error,
                $"The management port {port} (health details, metrics) is the only port the service listens on, so public traffic reaches it.",
                $"listen on a public port as well (ASPNETCORE_URLS/HTTP_PORTS) and set {ManagementEndpoints.PortKey} to a port the proxy does not route.");
        }
    }

    private static IEnumerable<int> ListeningPorts(IConfiguration configuration)
    {
        var fromUrls = (configuration["urls"] ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal))
            .Select(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Port : -1);
        var fromPorts = $"{configuration["http_ports"]};{configuration["https_ports"]}"
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => int.TryParse(port, out var number) ? number : -1);
        return fromUrls.Concat(fromPorts);
    }
}
