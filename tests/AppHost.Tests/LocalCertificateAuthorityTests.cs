using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AppHost.Tests.Deployment;
using Aspire.Hosting;

namespace AppHost.Tests;

/// <summary>The local proxy's CA and the server certificate it signs, as OpenSSL checks them.</summary>
public sealed class LocalCertificateAuthorityTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("local-ca-");

    [Fact]
    public async Task A_ca_made_again_with_the_same_name_signs_a_new_server_certificate_and_keeps_a_valid_one()
    {
        var authority = new LocalCertificateAuthority(_directory.FullName);
        authority.EnsureServerCertificate();
        Assert.Equal(0, (await VerifyAsync(authority)).ExitCode);
        var first = await File.ReadAllTextAsync(authority.ServerCertificatePath);

        // Still valid under the same CA: kept, so a browser's exception or a pinned copy stays good.
        authority.EnsureServerCertificate();
        Assert.Equal(first, await File.ReadAllTextAsync(authority.ServerCertificatePath));

        // The CA's key is lost: a new CA, with the same name, and a server certificate its clients can verify.
        File.Delete(authority.CaCertificatePath);
        File.Delete(Path.Combine(_directory.FullName, "ca.key"));
        authority.EnsureServerCertificate();
        var verified = await VerifyAsync(authority);
        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.NotEqual(first, await File.ReadAllTextAsync(authority.ServerCertificatePath));
    }

    [Fact]
    public async Task A_key_that_is_not_its_certificate_s_as_a_run_stopped_between_the_two_writes_leaves_is_made_again()
    {
        var authority = new LocalCertificateAuthority(_directory.FullName);
        authority.EnsureServerCertificate();
        var caKeyPath = Path.Combine(_directory.FullName, "ca.key");
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // The server's new key is written, its certificate is not.
        await File.WriteAllTextAsync(authority.ServerKeyPath, other.ExportPkcs8PrivateKeyPem() + "\n");
        authority.EnsureServerCertificate();
        using (X509Certificate2.CreateFromPemFile(authority.ServerCertificatePath, authority.ServerKeyPath))
        {
        }

        // The same for the CA: a new one, which signs a new server certificate.
        await File.WriteAllTextAsync(caKeyPath, other.ExportPkcs8PrivateKeyPem() + "\n");
        authority.EnsureServerCertificate();
        using (X509Certificate2.CreateFromPemFile(authority.CaCertificatePath, caKeyPath))
        {
        }

        var verified = await VerifyAsync(authority);
        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(authority.ServerKeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(caKeyPath));
        Assert.Empty(Directory.GetFiles(_directory.FullName, "*.partial"));
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<ChildProcessResult> VerifyAsync(LocalCertificateAuthority authority) =>
        ChildProcessResult.RunAsync("openssl", ["verify", "-CAfile", authority.CaCertificatePath, authority.ServerCertificatePath], Path.GetTempPath());
}
