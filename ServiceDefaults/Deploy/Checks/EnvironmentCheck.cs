using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>Development shows the developer exception page (stack traces) and relaxes HSTS; a deployment runs Production.</summary>
internal sealed class EnvironmentCheck : IDeployCheck
{
    private const string Fix = "set ASPNETCORE_ENVIRONMENT=Production (or remove it: Production is the default).";

    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        var environment = context.Environment;
        if (environment.IsDevelopment())
        {
            yield return new("RA-E001", DeploySeverity.Error,
                "The environment is Development: the developer exception page shows stack traces and HSTS is off.", Fix);
        }
        else if (!environment.IsProduction())
        {
            yield return new("RA-E002", DeploySeverity.Warning,
                $"The environment is '{environment.EnvironmentName}', not Production, so the startup audit does not run.", Fix);
        }
    }
}
