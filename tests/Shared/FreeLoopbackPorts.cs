using System.Net;
using System.Net.Sockets;

namespace ReadinessAspire.Testing;

/// <summary>Free TCP ports on 127.0.0.1 for servers a test or the bench starts.</summary>
internal static class FreeLoopbackPorts
{
    /// <summary>One port the system reported free.</summary>
    public static int One() => Take(1)[0];

    /// <summary>
    /// <paramref name="count"/> distinct ports. Every listener stays open until all are chosen: asked one after
    /// another, the system may hand out a port it just released again, and a server given it twice fails to bind.
    /// </summary>
    public static int[] Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
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
}
