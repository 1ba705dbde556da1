using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Security;

namespace ServiceDefaults.Deploy;

/// <summary>Runs every registered <see cref="IDeployCheck"/> and drops the findings silenced in <c>Deploy:Silence</c>.</summary>
public sealed class DeployAudit(IServiceProvider services)
{
    public const string SilenceKey = "Deploy:Silence";

    public DeployReport Run()
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var environment = services.GetRequiredService<IHostEnvironment>();
        var context = new DeployCheckContext(services, configuration, environment);
        var silenced = configuration.GetList(SilenceKey).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var findings = services.GetServices<IDeployCheck>()
            .SelectMany(check => check.Check(context))
            .Where(finding => !silenced.Contains(finding.Id))
            .OrderByDescending(finding => finding.Severity)
            .ThenBy(finding => finding.Id, StringComparer.Ordinal)
            .ToList();

        return new DeployReport(environment.EnvironmentName, findings, [.. silenced.Order(StringComparer.Ordinal)]);
    }
}

public sealed record DeployReport(string Environment, IReadOnlyList<DeployFinding> Findings, IReadOnlyList<string> Silenced)
{
    [JsonIgnore]
    public IEnumerable<DeployFinding> Errors => Findings.Where(finding => finding.Severity == DeploySeverity.Error);

    public bool HasErrors => Errors.Any();
}
