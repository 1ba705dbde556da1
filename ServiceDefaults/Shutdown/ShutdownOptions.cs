namespace ServiceDefaults.Shutdown;

/// <summary>Bound from <c>Shutdown</c> (env <c>Shutdown__Timeout</c>, <c>Shutdown__DrainDelay</c>): how a service stops on SIGTERM.</summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>The whole stop, the drain included: under the 30 s that container platforms wait before SIGKILL.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// At most this long the service keeps serving, every answer closing its connection, before Kestrel stops
    /// (<see cref="ConnectionDrain"/>); sooner once no connection is left. Longer than the proxy's idle timeout for
    /// its upstream connections (nginx <c>keepalive_timeout 2s</c>, Proxy/templates/nginx.conf.template), and short
    /// enough that the whole stop fits in the 6 s DCP waits after SIGTERM before SIGKILL in a local run (the rest of a
    /// WebApi stop takes 1-2 s). A platform that waits longer may raise it. 0 turns it off.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(3);
}
