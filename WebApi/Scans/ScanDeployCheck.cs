using Microsoft.Extensions.Options;
using Scanner;
using ServiceDefaults.Deploy;

namespace WebApi.Scans;

/// <summary>
/// What a local run lets the scanner reach and a deployment must not: its own network. Anyone who may queue a scan
/// (any maintainer) chooses its URL, so a private address or an internal port the scanner may reach is theirs to probe.
/// </summary>
public sealed class ScanDeployCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Services.GetRequiredService<IOptions<ScannerOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.AllowedTargets))
        {
            yield return new("RA-S001", DeploySeverity.Warning,
                $"Scans may reach {options.AllowedTargets.Trim()} (Scanner:AllowedTargets), which the scanner otherwise refuses as private or loopback: any maintainer can have it probe the deployment's own network.",
                "remove Scanner__AllowedTargets; a deployment scans only public addresses.");
        }

        if (options.AllowedPorts.Split(',', StringSplitOptions.TrimEntries).Contains("*"))
        {
            yield return new("RA-S002", DeploySeverity.Warning,
                "Scans may connect to any port (Scanner:AllowedPorts=*), the ports of services never meant to face the internet included.",
                "remove Scanner__AllowedPorts (80, 443, 8080 and 8443), or list the ports a scan may need.");
        }
    }
}
