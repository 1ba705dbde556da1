using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ReadinessAspire.Testing;

namespace ServiceDefaults.Tests;

/// <summary>
/// The shared port picker every test project links. It lives here because this is the smallest project that links it.
/// </summary>
public sealed class FreeLoopbackPortsTests
{
    [Fact]
    public void Ports_come_from_outside_the_ranges_the_kernel_DCP_and_the_AppHost_hand_out_themselves()
    {
        var bounds = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(bound => int.Parse(bound, CultureInfo.InvariantCulture))
            .ToArray();

        var ports = FreeLoopbackPorts.Take(50);

        Assert.Equal(ports.Length, ports.Distinct().Count());
        Assert.All(ports, port => Assert.True(port < bounds[0] || port > bounds[1], $"{port} is in {bounds[0]}-{bounds[1]}"));
        // DCP hands out the projects' ports, and the AppHost its local servers' ports, from 20000-32000.
        Assert.All(ports, port => Assert.True(port is < 20000 or > 32000, $"{port} is in 20000-32000"));
    }

    [Fact]
    public void A_port_a_listener_holds_is_not_handed_out()
    {
        var held = FreeLoopbackPorts.One();
        using var listener = new TcpListener(IPAddress.Loopback, held);
        listener.Start();

        // A walk covers the whole range before it comes back to a port, so ask until it does.
        var seen = new HashSet<int>();
        while (seen.Add(FreeLoopbackPorts.One()))
        {
        }

        Assert.DoesNotContain(held, seen);
    }
}
