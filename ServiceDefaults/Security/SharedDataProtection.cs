using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace ServiceDefaults.Security;

/// <summary>
/// One key ring for every replica and restart, for one application name, so a cookie or antiforgery token issued by one
/// process is accepted by all. Where the keys live is the service's choice (WebApi keeps them in PostgreSQL, beside the
/// data they protect and in its backups); these defaults name the application, count failed reads of the ring
/// (<see cref="KeyRingMetrics"/>) and, when a certificate is configured, encrypt every key with it before it is stored:
/// <c>DataProtection:Certificate</c> (a base64 PFX, from a secret) or <c>DataProtection:CertificatePath</c> (a PFX file),
/// with its password in <c>DataProtection:CertificatePassword</c>.
/// </summary>
public static class SharedDataProtection
{
    public const string ApplicationName = "ReadinessAspire";
    public const string CertificateKey = "DataProtection:Certificate";
    public const string CertificatePathKey = "DataProtection:CertificatePath";
    public const string CertificatePasswordKey = "DataProtection:CertificatePassword";

    internal static IServiceCollection AddSharedDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);

        services.AddSingleton<KeyRingMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(KeyRingMetrics.MeterName));
        // After the service chose its store: every read and write of the ring goes through the counting wrapper.
        services.AddSingleton<IPostConfigureOptions<KeyManagementOptions>, CountKeyRingFailures>();

        // An unusable certificate is not fatal here: the deploy audit reports it (RA-D003) and stops a Production start.
        if (IsCertificateConfigured(configuration) && TryLoadCertificate(configuration, out var certificate, out _))
        {
            // Also registers the certificate for decryption: on Linux there is no machine store to find it in.
            dataProtection.ProtectKeysWithCertificate(certificate);
        }

        return services;
    }

    /// <summary>Whether either form of the key-encryption certificate is set.</summary>
    public static bool IsCertificateConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[CertificateKey]) || !string.IsNullOrWhiteSpace(configuration[CertificatePathKey]);
    }

    /// <summary>Loads the key-encryption certificate; <paramref name="error"/> names the setting, never the password.</summary>
    public static bool TryLoadCertificate(
        IConfiguration configuration, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        certificate = null;
        var inline = configuration[CertificateKey];
        var setting = string.IsNullOrWhiteSpace(inline) ? CertificatePathKey : CertificateKey;
        try
        {
            certificate = string.IsNullOrWhiteSpace(inline)
                ? X509CertificateLoader.LoadPkcs12FromFile(configuration[CertificatePathKey]!, configuration[CertificatePasswordKey])
                : X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(inline.Trim()), configuration[CertificatePasswordKey]);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or FormatException)
        {
            error = $"The certificate in {setting} could not be loaded (missing or unreadable, not a base64 PFX, or wrong {CertificatePasswordKey}).";
            return false;
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            certificate = null;
            error = $"The certificate in {setting} has no private key, so keys it encrypts could not be read back.";
            return false;
        }

        error = null;
        return true;
    }

    private sealed class CountKeyRingFailures(KeyRingMetrics metrics) : IPostConfigureOptions<KeyManagementOptions>
    {
        public void PostConfigure(string? name, KeyManagementOptions options)
        {
            if (options.XmlRepository is { } repository and not CountingXmlRepository)
            {
                options.XmlRepository = new CountingXmlRepository(repository, metrics);
            }
        }
    }
}
