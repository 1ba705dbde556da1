using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ReadinessAspire.Testing;

/// <summary>
/// Free TCP ports on 127.0.0.1 for servers a test or the bench starts and must be told their port in advance.
/// </summary>
/// <remarks>
/// A port is chosen before the server binds it, so another socket must not take it in between. Ports the kernel hands
/// out itself, to a listener on port 0 (Kestrel in another test) or to an outgoing connection, come from
/// <c>ip_local_port_range</c> (32768 and up by default); DCP and the AppHost's local servers take theirs from
/// 20000-32000. A port chosen in either range and released can be handed out again at once, and the server then fails
/// with "address already in use". So ports are chosen below both. Each process walks the range from its own random
/// start, so test processes running side by side seldom meet, and one process never hands out a port twice until it
/// has walked the whole range.
/// </remarks>
internal static class FreeLoopbackPorts
{
    private const int LowestPort = 10000;

    /// <summary>Where DCP's and the AppHost's own range begins.</summary>
    private const int AppHostPorts = 20000;

    private const int SmallestRange = 1024;

    private static readonly Lock Gate = new();
    private static readonly (int First, int Count)? Range = RangeOfOurOwn();
    private static int walked = Random.Shared.Next(Range?.Count ?? 1);

    /// <summary>One port free now.</summary>
    public static int One() => Take(1)[0];

    /// <summary><paramref name="count"/> distinct ports free now.</summary>
    public static int[] Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Range is { } range ? Walk(range, count) : FromKernel(count);
    }

    private static int[] Walk((int First, int Count) range, int count)
    {
        var ports = new int[count];
        lock (Gate)
        {
            for (var chosen = 0; chosen < count;)
            {
                for (var tried = 0; ; tried++)
                {
                    if (tried == range.Count)
                    {
                        throw new InvalidOperationException($"No free port on 127.0.0.1 in {range.First}-{range.First + range.Count - 1}.");
                    }

                    var port = range.First + (walked++ % range.Count);
                    if (CanBind(port))
                    {
                        ports[chosen++] = port;
                        break;
                    }
                }
            }
        }

        return ports;
    }

    private static bool CanBind(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Where the kernel's ephemeral range leaves no room below it, asks the kernel; every listener stays open
    /// until all are chosen, so it cannot hand out the same port twice.</summary>
    private static int[] FromKernel(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>Ports below both the AppHost's range and the kernel's ephemeral range, if there is room.</summary>
    private static (int First, int Count)? RangeOfOurOwn()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        if (!File.Exists(path))
        {
            return null;
        }

        var bounds = File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (bounds.Length != 2 || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
        {
            return null;
        }

        var end = Math.Min(low, AppHostPorts);
        return end - LowestPort >= SmallestRange ? (LowestPort, end - LowestPort) : null;
    }
}
