using System.Diagnostics;

namespace Scanner.Tests.Sites;

public sealed class NginxSiteTests
{
    [Fact]
    public async Task A_custom_config_starts_on_its_own_ports_and_stops_by_its_pid()
    {
        var definition = new SiteDefinition(
            "custom",
            layout => $$"""
                server {
                    listen 127.0.0.1:{{layout.HttpPort}};
                    listen 127.0.0.1:{{layout.HttpsPort}} ssl;
                    ssl_certificate {{layout.CertificatePath}};
                    ssl_certificate_key {{layout.KeyPath}};
                    root {{layout.Root}};
                    add_header X-Variant "custom" always;
                }
                """,
            new Dictionary<string, string> { ["html/index.html"] = "custom site\n" },
            authority => authority.IssueLocalhost(TimeSpan.FromDays(1)));

        var site = await NginxSite.StartAsync(definition);
        int pid;
        string prefix;
        try
        {
            pid = site.ProcessId;
            prefix = site.Layout.Prefix;
            using var client = site.CreateClient();
            var plain = await client.SendAsync(HttpMethod.Get, site.HttpUrl, null, CancellationToken.None);
            var secure = await client.SendAsync(HttpMethod.Get, site.HttpsUrl, null, CancellationToken.None);

            Assert.Equal(200, plain.Status);
            Assert.Equal("custom site\n", plain.Body);
            Assert.Equal("custom", secure.Headers.Get("x-variant"));
            Assert.True(secure.Verified);
        }
        finally
        {
            await site.DisposeAsync();
        }

        Assert.True(site.HasExited);
        Assert.False(Directory.Exists(prefix));
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public void The_test_CA_is_a_PEM_file_under_tmp()
    {
        var path = NginxSite.CaCertificatePath;

        Assert.StartsWith("/tmp/", path, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(path), StringComparison.Ordinal);
    }
}
