using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Security;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>Cookies and antiforgery tokens must survive restarts and work on every replica; their keys must not sit in clear text.</summary>
internal sealed class DataProtectionCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        var discriminator = context.Services.GetRequiredService<IOptions<DataProtectionOptions>>().Value.ApplicationDiscriminator;
        if (discriminator != SharedDataProtection.ApplicationName)
        {
            yield return new("RA-D004", DeploySeverity.Error,
                $"The data-protection application name is '{discriminator}'; services with different names cannot read each other's tokens.",
                $"keep SetApplicationName(\"{SharedDataProtection.ApplicationName}\") from ServiceDefaults.");
        }

        if (CertificateError(context.Configuration) is { } error)
        {
            yield return new("RA-D003", DeploySeverity.Error, error,
                $"point {SharedDataProtection.CertificatePathKey} at a readable PFX and set {SharedDataProtection.CertificatePasswordKey} to its password.");
        }

        var keyManagement = context.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value;
        if (keyManagement.XmlRepository is null)
        {
            yield return new("RA-D001", DeploySeverity.Error,
                "The data-protection key ring is not shared: each process keeps its own keys, so tokens fail across replicas and restarts.",
                $"set ConnectionStrings__{SharedDataProtection.ConnectionName} so keys are kept in Redis under '{SharedDataProtection.RedisKey}'.");
        }

        if (keyManagement.XmlEncryptor is null)
        {
            yield return new("RA-D002", DeploySeverity.Warning,
                "Data-protection keys are stored unencrypted; anyone who can read the key store can forge cookies and tokens.",
                $"set {SharedDataProtection.CertificatePathKey} (a PFX) and {SharedDataProtection.CertificatePasswordKey} from the secret store.");
        }
    }

    private static string? CertificateError(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[SharedDataProtection.CertificatePathKey]))
        {
            return null;
        }

        if (!SharedDataProtection.TryLoadCertificate(configuration, out var certificate, out var error))
        {
            return error;
        }

        certificate.Dispose();
        return null;
    }
}
