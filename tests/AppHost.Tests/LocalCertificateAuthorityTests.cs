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

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<ChildProcessResult> VerifyAsync(LocalCertificateAuthority authority) =>
        ChildProcessResult.RunAsync("openssl", ["verify", "-CAfile", authority.CaCertificatePath, authority.ServerCertificatePath], Path.GetTempPath());
}
