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
        using (var current = LoadPair(ServerCertificatePath, ServerKeyPath))
        {
            if (current is not null && current.NotAfter - DateTime.Now > s_renewBefore && IsSignedBy(current, ca))
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
        // Key first: a run stopped between the two leaves a certificate that is not the key's, which LoadPair refuses.
        Replace(ServerKeyPath, key.ExportPkcs8PrivateKeyPem() + "\n", isPrivate: true);
        Replace(ServerCertificatePath, server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n", isPrivate: false);
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
        if (LoadPair(CaCertificatePath, CaKeyPath) is { } existing)
        {
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
        Replace(CaKeyPath, key.ExportPkcs8PrivateKeyPem() + "\n", isPrivate: true);
        Replace(CaCertificatePath, ca.ExportCertificatePem() + "\n", isPrivate: false);
        return X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
    }

    /// <summary>
    /// The certificate with its key, or null when either file is missing, unreadable, or not the other's (a run
    /// stopped between writing them): made again rather than failing every later start.
    /// </summary>
    private static X509Certificate2? LoadPair(string certificatePath, string keyPath)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes beside <paramref name="path"/> and renames over it: nginx, reading it for a start or a reload, sees the
    /// old file or the new one, never a part. A private file is the owner's alone before its key is in it.
    /// </summary>
    private static void Replace(string path, string pem, bool isPrivate)
    {
        var partial = path + ".partial";
        File.Delete(partial);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (isPrivate)
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(partial, options))
        {
            writer.Write(pem);
            writer.Flush();
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }

        File.Move(partial, path, overwrite: true);
    }
}
