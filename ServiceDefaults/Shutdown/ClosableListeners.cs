using System.Net;
using Microsoft.AspNetCore.Connections;

namespace ServiceDefaults.Shutdown;

/// <summary>
/// Kestrel's transport, with listening sockets that can be closed ahead of Kestrel's stop: no new connection is
/// accepted, and those already open go on. Kestrel tries the transport registered last first, so this one binds
/// every endpoint the transport it wraps can.
/// </summary>
internal sealed class ClosableListeners(IConnectionListenerFactory transport) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly List<IConnectionListener> listeners = [];

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = await transport.BindAsync(endpoint, cancellationToken);
        lock (listeners)
        {
            listeners.Add(listener);
        }

        return listener;
    }

    public bool CanBind(EndPoint endpoint) => transport is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    /// <summary>
    /// Closes every listening socket: a client that connects now is refused, which a proxy knows is safe to send to
    /// another server, as nothing was sent. Kestrel's accept loops end; its stop unbinds again, which changes nothing.
    /// </summary>
    public async Task StopAcceptingAsync(CancellationToken cancellationToken)
    {
        IConnectionListener[] bound;
        lock (listeners)
        {
            bound = [.. listeners];
        }

        foreach (var listener in bound)
        {
            await listener.UnbindAsync(cancellationToken);
        }
    }
}
