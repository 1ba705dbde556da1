using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ReadinessAspire.Testing;
using Scanner.Net;
using Scanner.Tests.Sites;

namespace Scanner.Tests.Net;

/// <summary>The client refuses before it connects: the resolver and the socket are asserted untouched where they must be.</summary>
public sealed class SiteClientRefusalTests(LocalHttpServer server) : IClassFixture<LocalHttpServer>
{
    private readonly StaticHostResolver resolver = new(new Dictionary<string, IPAddress[]>
    {
        ["intranet.test"] = [IPAddress.Loopback],
        ["metadata.test"] = [IPAddress.Parse("169.254.169.254")],
        ["localhost"] = [IPAddress.Loopback],
    });

    private readonly ConcurrentQueue<IPEndPoint> connects = new();

    [Theory]
    [InlineData("http://10.0.0.1/", "10.0.0.1 is a private address (10.0.0.0/8)")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud instance metadata address (link-local 169.254.0.0/16)")]
    [InlineData("http://[::1]/", "::1 is a loopback address (::1/128)")]
    [InlineData("https://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud instance metadata address (unique-local fc00::/7)")]
    [InlineData("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is the IPv4-mapped form of 10.0.0.1, which is a private address (10.0.0.0/8)")]
    [InlineData("http://100.64.1.2:8080/", "100.64.1.2 is a carrier-grade NAT address (100.64.0.0/10)")]
    public async Task Refuses_an_internal_address_without_resolving_or_connecting(string url, string reason)
    {
        using var client = CreateClient(new ScannerOptions());

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => client.SendAsync(HttpMethod.Get, new Uri(url), null, CancellationToken.None));

        Assert.Equal(reason, refused.Message);
        Assert.Empty(resolver.Asked);
        Assert.Empty(connects);
    }

    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://[0:0:0:0:0:ffff:7f00:1]/")]
    public async Task Refuses_loopback_written_in_other_forms(string url)
    {
        using var client = CreateClient(new ScannerOptions());

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => client.SendAsync(HttpMethod.Get, new Uri(url), null, CancellationToken.None));

        Assert.Contains("127.0.0.1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("a loopback address (127.0.0.0/8)", refused.Message, StringComparison.Ordinal);
        Assert.Empty(resolver.Asked);
        Assert.Empty(connects);
    }

    [Fact]
    public async Task Refuses_a_name_that_resolves_to_loopback_when_only_the_name_is_not_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = CreateClient(new ScannerOptions { AllowedPorts = $"{port}" });

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() =>
            client.SendAsync(HttpMethod.Get, new Uri($"http://intranet.test:{port}/"), null, CancellationToken.None));

        Assert.Equal("intranet.test resolves to an address the scanner may not reach: it is a loopback address (127.0.0.0/8)", refused.Message);
        Assert.Equal(["intranet.test"], resolver.Asked);
        Assert.Empty(connects);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task A_name_for_the_metadata_address_is_refused_by_the_retrieval_and_the_probe()
    {
        using var client = CreateClient(new ScannerOptions());

        var retrieval = await Assert.ThrowsAsync<TargetRefusedException>(() =>
            client.RetrieveAsync(new ScanTarget(new Uri("https://metadata.test/")), CancellationToken.None));
        var probe = await Assert.ThrowsAsync<TargetRefusedException>(() => client.ProbeTlsAsync("metadata.test", 443, CancellationToken.None));

        Assert.Contains("metadata.test resolves to an address the scanner may not reach: it is a cloud instance metadata address", retrieval.Message, StringComparison.Ordinal);
        Assert.Contains("metadata.test resolves to an address the scanner may not reach: it is a cloud instance metadata address", probe.Message, StringComparison.Ordinal);
        Assert.Empty(connects);
    }

    [Fact]
    public async Task The_probe_refuses_a_private_address_and_a_port_not_allowed()
    {
        using var client = CreateClient(new ScannerOptions { AllowedTargets = "127.0.0.1" });

        var address = await Assert.ThrowsAsync<TargetRefusedException>(() => client.ProbeTlsAsync("10.0.0.1", 443, CancellationToken.None));
        var port = await Assert.ThrowsAsync<TargetRefusedException>(() => client.ProbeTlsAsync("127.0.0.1", 22, CancellationToken.None));

        Assert.Equal("10.0.0.1 is a private address (10.0.0.0/8)", address.Message);
        Assert.Equal("port 22 is not an allowed port (allowed: 80, 443, 8080, 8443)", port.Message);
        Assert.Empty(connects);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/", "scheme 'ftp' is not allowed (only http and https)")]
    [InlineData("file:///etc/passwd", "scheme 'file' is not allowed (only http and https)")]
    [InlineData("http://127.0.0.1:22/", "port 22 is not an allowed port (allowed: 80, 443, 8080, 8443)")]
    [InlineData("http://127.0.0.1:6379/", "port 6379 is not an allowed port (allowed: 80, 443, 8080, 8443)")]
    public async Task Refuses_other_schemes_and_ports_even_for_allowed_addresses(string url, string reason)
    {
        using var client = CreateClient(new ScannerOptions { AllowedTargets = "127.0.0.1" });

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => client.SendAsync(HttpMethod.Get, new Uri(url), null, CancellationToken.None));

        Assert.Equal(reason, refused.Message);
        Assert.Empty(connects);
    }

    [Theory]
    [InlineData("127.0.0.1", "http://127.0.0.1:{0}/")]
    [InlineData("127.0.0.0/8", "http://127.0.0.1:{0}/")]
    [InlineData("intranet.test", "http://intranet.test:{0}/")]
    // The fully qualified spelling, with the root's dot.
    [InlineData("intranet.test", "http://intranet.test.:{0}/")]
    public async Task The_allow_list_admits_addresses_ranges_and_names(string allowed, string url)
    {
        var target = new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, url, server.Port));
        using var client = CreateClient(new ScannerOptions { AllowedTargets = allowed, AllowedPorts = $"{server.Port}" });

        var response = await client.SendAsync(HttpMethod.Get, target, null, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.True(response.Verified);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, server.Port)], connects);
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_server_to_a_private_address_refuses_the_scan()
    {
        var closedPort = FreeLoopbackPorts.One();
        using var client = CreateClient(server.Options($"{closedPort}"));
        var target = new ScanTarget(server.Url("/to-private"), HttpsPort: closedPort);

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => client.RetrieveAsync(target, CancellationToken.None));

        Assert.Equal("10.0.0.1 is a private address (10.0.0.0/8)", refused.Message);
        Assert.DoesNotContain(connects, endpoint => !IPAddress.IsLoopback(endpoint.Address));
    }

    [Fact]
    public async Task A_redirect_to_the_metadata_address_is_refused_too()
    {
        var closedPort = FreeLoopbackPorts.One();
        using var client = CreateClient(server.Options($"{closedPort}"));
        var target = new ScanTarget(server.Url("/to-metadata"), HttpsPort: closedPort);

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => client.RetrieveAsync(target, CancellationToken.None));

        Assert.StartsWith("169.254.169.254 is a cloud instance metadata address", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(connects, endpoint => !IPAddress.IsLoopback(endpoint.Address));
    }

    [Fact]
    public async Task A_scan_whose_other_port_is_not_allowed_is_refused_before_connecting()
    {
        using var client = CreateClient(server.Options());

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => client.RetrieveAsync(new ScanTarget(server.Url("/")), CancellationToken.None));

        Assert.StartsWith("port 443 is not an allowed port", refused.Message, StringComparison.Ordinal);
        Assert.Empty(connects);
    }

    private SiteClient CreateClient(ScannerOptions options)
    {
        var client = new SiteClient(options, resolver);
        client.Connecting += (_, endpoint) => connects.Enqueue(endpoint);
        return client;
    }
}
