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
                $"set {SharedDataProtection.CertificateKey} to a base64 PFX (or {SharedDataProtection.CertificatePathKey} to a readable one) and {SharedDataProtection.CertificatePasswordKey} to its password.");
        }

        var keyManagement = context.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value;
        if (keyManagement.XmlRepository is null)
        {
            yield return new("RA-D001", DeploySeverity.Error,
                "The data-protection key ring is not shared: each process keeps its own keys, so tokens fail across replicas and restarts.",
                "keep the keys in a durable store every replica reads (WebApi: AddDataProtectionKeyStore, PostgreSQL).");
        }

        if (keyManagement.XmlEncryptor is null)
        {
            // An error: the store is the database, and its backups travel; a readable key forges any session.
            yield return new("RA-D002", DeploySeverity.Error,
                "Data-protection keys are stored unencrypted; anyone who can read the database or a backup of it can forge cookies and tokens.",
                $"set {SharedDataProtection.CertificateKey} (a base64 PFX, from the secret store) or {SharedDataProtection.CertificatePathKey}, and {SharedDataProtection.CertificatePasswordKey}.");
        }
    }

    private static string? CertificateError(IConfiguration configuration)
    {
        if (!SharedDataProtection.IsCertificateConfigured(configuration))
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
