using System.Net;
using Scanner.Net;
using Scanner.Tests.Sites;

namespace Scanner.Tests.Net;

public sealed class TargetPolicyTests
{
    [Theory]
    [InlineData("10.0.0.1", "private address (10.0.0.0/8)")]
    [InlineData("172.16.5.4", "private address (172.16.0.0/12)")]
    [InlineData("192.168.1.1", "private address (192.168.0.0/16)")]
    [InlineData("127.0.0.1", "loopback address (127.0.0.0/8)")]
    [InlineData("127.255.0.9", "loopback address (127.0.0.0/8)")]
    [InlineData("100.64.0.1", "carrier-grade NAT address (100.64.0.0/10)")]
    [InlineData("169.254.10.20", "link-local address (169.254.0.0/16)")]
    [InlineData("169.254.169.254", "cloud instance metadata address (link-local 169.254.0.0/16)")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast address (224.0.0.0/4)")]
    [InlineData("255.255.255.255", "broadcast address")]
    [InlineData("240.0.0.1", "reserved address (240.0.0.0/4)")]
    [InlineData("192.0.2.10", "reserved address (documentation)")]
    [InlineData("198.18.0.1", "reserved address (benchmarking)")]
    [InlineData("::1", "loopback address (::1/128)")]
    [InlineData("::", "unspecified address (::/128)")]
    [InlineData("fe80::1", "link-local address (fe80::/10)")]
    [InlineData("fc00::5", "unique-local address (fc00::/7)")]
    [InlineData("fd12:3456::1", "unique-local address (fc00::/7)")]
    [InlineData("fd00:ec2::254", "cloud instance metadata address (unique-local fc00::/7)")]
    [InlineData("ff02::1", "multicast address (ff00::/8)")]
    [InlineData("2001:db8::1", "reserved address (documentation)")]
    [InlineData("::ffff:10.0.0.1", "IPv4-mapped form of 10.0.0.1, which is a private address (10.0.0.0/8)")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, which is a loopback address")]
    [InlineData("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254, which is a cloud instance metadata address")]
    [InlineData("::10.0.0.1", "IPv4-compatible form of 10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe", "NAT64 form of 169.254.169.254")]
    [InlineData("2002:a00:1::1", "6to4 form of 10.0.0.1")]
    [InlineData("4000::1", "not a global unicast address")]
    public void Refuses_addresses_inside_networks_and_names_the_rule(string address, string reason)
    {
        var refusal = TargetPolicy.ForbiddenReason(IPAddress.Parse(address));

        Assert.NotNull(refusal);
        Assert.StartsWith(IPAddress.Parse(address).ToString(), refusal, StringComparison.Ordinal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:93.184.215.14")]
    [InlineData("2002:5db8:d70e::1")]
    public void Lets_public_unicast_addresses_through(string address) =>
        Assert.Null(TargetPolicy.ForbiddenReason(IPAddress.Parse(address)));

    [Fact]
    public void The_allow_list_takes_addresses_ranges_and_mapped_forms()
    {
        var policy = new TargetPolicy(new ScannerOptions { AllowedTargets = "127.0.0.1, 10.1.0.0/16 ,[::1]" }, NoResolver);

        Assert.Null(policy.Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(policy.Refusal(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.Null(policy.Refusal(IPAddress.Parse("10.1.200.3")));
        Assert.Null(policy.Refusal(IPAddress.Parse("::1")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("127.0.0.2")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("10.2.0.1")));
    }

    [Fact]
    public async Task An_allow_listed_name_may_resolve_anywhere()
    {
        var resolver = new StaticHostResolver(new Dictionary<string, IPAddress[]> { ["intranet.test"] = [IPAddress.Parse("10.9.8.7")] });
        var policy = new TargetPolicy(new ScannerOptions { AllowedTargets = "Intranet.Test." }, resolver);

        var endpoint = await policy.ResolveAsync(new Uri("https://intranet.test/"), CancellationToken.None);

        Assert.Equal([IPAddress.Parse("10.9.8.7")], endpoint.Addresses);
    }

    [Fact]
    public async Task One_forbidden_address_among_several_refuses_the_name()
    {
        var resolver = new StaticHostResolver(new Dictionary<string, IPAddress[]>
        {
            ["mixed.test"] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("192.168.0.10")],
        });
        var policy = new TargetPolicy(new ScannerOptions(), resolver);

        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => policy.ResolveAsync(new Uri("https://mixed.test/"), CancellationToken.None));

        Assert.Equal("mixed.test resolves to an address the scanner may not reach: it is a private address (192.168.0.0/16)", refused.Message);
    }

    [Theory]
    [InlineData("ftp://example.com/", "scheme 'ftp' is not allowed (only http and https)")]
    [InlineData("file:///etc/passwd", "scheme 'file' is not allowed (only http and https)")]
    [InlineData("gopher://example.com:70/", "scheme 'gopher' is not allowed (only http and https)")]
    [InlineData("http://example.com:22/", "port 22 is not an allowed port (allowed: 80, 443, 8080, 8443)")]
    [InlineData("https://example.com:6379/", "port 6379 is not an allowed port (allowed: 80, 443, 8080, 8443)")]
    public void Refuses_other_schemes_and_ports(string url, string message)
    {
        var policy = new TargetPolicy(new ScannerOptions(), NoResolver);

        var refused = Assert.Throws<TargetRefusedException>(() => policy.CheckSchemeAndPort(new Uri(url)));

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public void Configured_ports_replace_the_defaults() =>
        new TargetPolicy(new ScannerOptions { AllowedPorts = "8000, 9443" }, NoResolver).CheckSchemeAndPort(new Uri("https://example.com:9443/"));

    [Fact]
    public void A_port_list_that_is_not_ports_is_a_configuration_error() =>
        Assert.Throws<ArgumentException>(() => new TargetPolicy(new ScannerOptions { AllowedPorts = "80,https" }, NoResolver));

    private static StaticHostResolver NoResolver => new(new Dictionary<string, IPAddress[]>());
}
