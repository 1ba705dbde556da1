using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scanner.Tests.Sites;

/// <summary>A certificate and its private key, both PEM, as nginx reads them.</summary>
public sealed record PemCertificate(string CertificatePem, string PrivateKeyPem, string Subject, DateTimeOffset NotAfter);

/// <summary>
/// A throwaway CA for the test sites, made once per test run in a world-readable folder under /tmp.
/// Tests trust it through <see cref="ScannerOptions.TrustedRootCertificates"/> = <see cref="CertificatePath"/>; nothing else does.
/// </summary>
public sealed class TestCertificateAuthority
{
    private static readonly Lazy<TestCertificateAuthority> SharedInstance = new(() => new TestCertificateAuthority());

    private readonly X509Certificate2 certificate;

    private TestCertificateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ReadinessAspire Scanner Test CA, O=ReadinessAspire Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));

        var folder = NginxSite.CreateDirectory(Path.Combine("/tmp", $"scanner-test-ca-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        CertificatePath = Path.Combine(folder.FullName, "ca.pem");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder.FullName, recursive: true);
    }

    /// <summary>The one CA of this test run.</summary>
    public static TestCertificateAuthority Shared => SharedInstance.Value;

    /// <summary>The CA certificate (PEM), for <see cref="ScannerOptions.TrustedRootCertificates"/>.</summary>
    public string CertificatePath { get; }

    public string Subject => certificate.Subject;

    /// <summary>A server certificate from this CA for <c>localhost</c>, 127.0.0.1 and ::1, valid for <paramref name="lifetime"/> (ECDSA P-256).</summary>
    public PemCertificate IssueLocalhost(TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = ServerRequest("CN=localhost", key, names: ["localhost"], addresses: [IPAddress.Loopback, IPAddress.IPv6Loopback]);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(certificate, now.AddHours(-1), now.Add(lifetime), serial);
        return new PemCertificate(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), issued.Subject, issued.NotAfter.ToUniversalTime());
    }

    /// <summary>A self-signed RSA certificate for <paramref name="name"/> only, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static PemCertificate SelfSigned(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        // RSA so the classic TLS 1.0 suites (ECDHE-RSA, RSA key exchange) have a key to use.
        using var key = RSA.Create(2048);
        var request = ServerRequest($"CN={name}", key, names: [name], addresses: []);
        using var created = request.CreateSelfSigned(notBefore, notAfter);
        return new PemCertificate(created.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), created.Subject, created.NotAfter.ToUniversalTime());
    }

    private static CertificateRequest ServerRequest(string subject, AsymmetricAlgorithm key, string[] names, IPAddress[] addresses)
    {
        var request = key switch
        {
            ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("ECDSA or RSA only.", nameof(key)),
        };
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternativeNames.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            alternativeNames.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        // RSA key exchange (TLS 1.0's TLS_RSA_* suites) encrypts to the key; ECDSA only signs.
        var usage = key is RSA ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }
}
