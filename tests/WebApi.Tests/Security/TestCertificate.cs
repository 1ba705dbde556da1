using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WebApi.Tests.Security;

/// <summary>A self-signed key-encryption certificate written as a password-protected PFX into a temporary directory.</summary>
internal sealed class TestCertificate : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ra-cert-").FullName;

    public TestCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ReadinessAspire data protection (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Path = System.IO.Path.Combine(_directory, "dataprotection.pfx");
        File.WriteAllBytes(Path, certificate.Export(X509ContentType.Pfx, Password));
    }

    public string Path { get; }

    public string Password { get; } = Secrets.Strong();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
