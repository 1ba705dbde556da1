using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ServiceDefaults.Security;

/// <summary>
/// One key ring for every replica and restart: kept in Redis (the <c>cache</c> connection string) under
/// <see cref="RedisKey"/>, for one application name, so a cookie or antiforgery token issued by one process is
/// accepted by all. When <c>DataProtection:CertificatePath</c> names a PFX (password in
/// <c>DataProtection:CertificatePassword</c>), keys are encrypted with it before they are stored.
/// </summary>
public static class SharedDataProtection
{
    public const string ApplicationName = "ReadinessAspire";
    public const string RedisKey = "DataProtection-Keys";
    public const string ConnectionName = "cache";
    public const string CertificatePathKey = "DataProtection:CertificatePath";
    public const string CertificatePasswordKey = "DataProtection:CertificatePassword";

    internal static IServiceCollection AddSharedDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);

        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName)))
        {
            // A service with a cache of its own registers its multiplexer later, and that one wins; the key ring then shares it.
            services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(CreateRedisOptions(configuration)));
            services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
                // The database is looked up when keys are first read, so the service starts while Redis is away.
                options.XmlRepository = new RedisXmlRepository(() => provider.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), RedisKey));
        }

        // An unusable certificate is not fatal here: the deploy audit reports it (RA-D003) and stops a Production start.
        if (!string.IsNullOrWhiteSpace(configuration[CertificatePathKey]) && TryLoadCertificate(configuration, out var certificate, out _))
        {
            // Also registers the certificate for decryption: on Linux there is no machine store to find it in.
            dataProtection.ProtectKeysWithCertificate(certificate);
        }

        return services;
    }

    /// <summary>Loads the key-encryption certificate; <paramref name="error"/> names the setting, never the password.</summary>
    public static bool TryLoadCertificate(
        IConfiguration configuration, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        certificate = null;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(configuration[CertificatePathKey]!, configuration[CertificatePasswordKey]);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            error = $"The certificate in {CertificatePathKey} could not be loaded (missing or unreadable file, or wrong {CertificatePasswordKey}).";
            return false;
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            certificate = null;
            error = $"The certificate in {CertificatePathKey} has no private key, so keys it encrypts could not be read back.";
            return false;
        }

        error = null;
        return true;
    }

    private static ConfigurationOptions CreateRedisOptions(IConfiguration configuration)
    {
        var options = ConfigurationOptions.Parse(configuration.GetConnectionString(ConnectionName)!);
        options.AbortOnConnectFail = false;
        return options;
    }
}
