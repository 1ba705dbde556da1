using Microsoft.Extensions.Configuration;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>Error answers must not show exception details, which reveal code, paths and sometimes data.</summary>
internal sealed class ErrorExposureCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        if (context.Configuration.GetValue<bool>("DetailedErrors"))
        {
            yield return new("RA-X001", DeploySeverity.Error,
                "DetailedErrors is on: startup failures answer with exception details and stack traces.",
                "remove DetailedErrors (ASPNETCORE_DETAILEDERRORS) from the configuration.");
        }
    }
}
