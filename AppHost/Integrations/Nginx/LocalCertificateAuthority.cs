using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aspire.Hosting;

/// <summary>
/// A certificate authority of this machine's AppHost and a server certificate it signs for localhost and 127.0.0.1,
/// kept in the data directory. Trusting the CA once makes every later server certificate trusted too.
/// </summary>
internal sealed class LocalCertificateAuthority(string directory)
{
    private static readonly TimeSpan s_serverLifetime = TimeSpan.FromDays(397); // The most browsers accept.
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromDays(30);

    public string CaCertificatePath => Path.Combine(directory, "ca.crt");

    public string ServerCertificatePath => Path.Combine(directory, "server.crt");

    public string ServerKeyPath => Path.Combine(directory, "server.key");

    private string CaKeyPath => Path.Combine(directory, "ca.key");

    /// <summary>Creates the CA on first use and a server certificate whenever the current one is missing or near expiry.</summary>
    public void EnsureServerCertificate()
    {
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var ca = LoadOrCreateCa();
        if (File.Exists(ServerCertificatePath) && File.Exists(ServerKeyPath))
        {
            using var current = X509Certificate2.CreateFromPem(File.ReadAllText(ServerCertificatePath));
            if (current.NotAfter - DateTime.Now > s_renewBefore && IsSignedBy(current, ca))
            {
                return;
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var server = request.Create(ca, notBefore, notBefore + s_serverLifetime, RandomNumberGenerator.GetBytes(16));
        WritePrivate(ServerKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(ServerCertificatePath, server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
    }

    /// <summary>
    /// Whether <paramref name="ca"/>'s key signed <paramref name="certificate"/>. Not by the issuer's name: a CA made
    /// again (its key lost, or renewed near its end) has the same name, and what the old key signed no longer verifies.
    /// </summary>
    private static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate);
    }

    private X509Certificate2 LoadOrCreateCa()
    {
        if (File.Exists(CaCertificatePath) && File.Exists(CaKeyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
            if (existing.NotAfter - DateTime.Now > s_serverLifetime)
            {
                return existing;
            }

            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=ReadinessAspire local CA ({Environment.MachineName}), O=ReadinessAspire", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var ca = request.CreateSelfSigned(notBefore, notBefore.AddYears(10));
        WritePrivate(CaKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CaCertificatePath, ca.ExportCertificatePem() + "\n");
        return X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
    }

    private static void WritePrivate(string path, string pem)
    {
        File.WriteAllText(path, string.Empty);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, pem + "\n");
    }
}
