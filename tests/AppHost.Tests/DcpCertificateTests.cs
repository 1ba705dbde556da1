using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace AppHost.Tests;

/// <summary>
/// DCP's API server on the running stack: it serves TLS with the ASP.NET Core developer certificate `.ci/install` makes,
/// so it does not make an RSA key of its own on every start, and no resource is handed that certificate's trust.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class DcpCertificateTests(StackFixture stack)
{
    /// <summary>The extension that marks a certificate as the ASP.NET Core HTTPS development certificate.</summary>
    private const string AspNetHttpsDevelopmentCertificateOid = "1.3.6.1.4.1.311.84.1.1";

    [Fact]
    public async Task Dcp_serves_its_API_with_the_developer_certificate_instead_of_a_key_it_makes_at_each_start()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("proxy", timeout.Token);

        // The AppHost runs in this test process; Aspire starts DCP's API server to watch it: `--monitor <this pid>`.
        var apiServers = DcpApiServersOf(Environment.ProcessId);

        Assert.NotEmpty(apiServers);
        foreach (var arguments in apiServers)
        {
            var certificateFile = ValueOf(arguments, "--tls-cert-file");
            var keyFile = ValueOf(arguments, "--tls-key-file");
            Assert.True(certificateFile is not null && keyFile is not null, "DCP started without a certificate: " + string.Join(' ', arguments));
            Assert.True(File.Exists(keyFile!), keyFile);
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile!));
            Assert.Contains(certificate.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == AspNetHttpsDevelopmentCertificateOid);
        }
    }

    [Fact]
    public async Task No_resource_is_given_the_developer_certificate_s_trust()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("proxy", timeout.Token);

        // Aspire's trust of the developer certificate, when on, starts each process with SSL_CERT_DIR naming a folder it
        // writes for that process first (as DCP reports the environment). Each process inherits the AppHost's own
        // OpenSSL settings, if it has any, and nothing else. The proxy's TLS is the AppHost's own CA's.
        var states = await stack.App.WaitUntilAsync(s => s.Replicas("webapi") is [_, _] && s.Values.Any(e => e.Resource.Name == "proxy"), timeout.Token);
        var given = states.Values
            .SelectMany(s => s.Snapshot.EnvironmentVariables
                .Where(v => (v.Name is "SSL_CERT_DIR" or "SSL_CERT_FILE") && v.Value != Environment.GetEnvironmentVariable(v.Name))
                .Select(v => $"{s.ResourceId}: {v.Name}={v.Value}"))
            .ToList();

        Assert.Empty(given);
        // The check reads what it should: every replica's environment is there.
        Assert.All(states.Replicas("webapi"), r => Assert.NotEmpty(r.Snapshot.EnvironmentVariables));
    }

    /// <summary>The command lines of DCP's API servers that watch <paramref name="processId"/>, split at spaces.</summary>
    private static List<string[]> DcpApiServersOf(int processId) =>
    [
        .. LinuxProcess.Tree(LinuxProcess.Find(processId)!)
            .Select(p => p.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(arguments => arguments is [var executable, "start-apiserver", ..] && Path.GetFileName(executable) == "dcp"
                && ValueOf(arguments, "--monitor") == processId.ToString(CultureInfo.InvariantCulture)),
    ];

    private static string? ValueOf(string[] arguments, string option) =>
        Array.IndexOf(arguments, option) is var at and >= 0 && at + 1 < arguments.Length ? arguments[at + 1] : null;
}
