using System.Net;

namespace Scanner.Net;

/// <summary>Resolves host names; tests supply their own to point names at local servers.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver (<see cref="Dns"/>), IPv4 and IPv6.</summary>
public sealed class DnsHostResolver : IHostResolver
{
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException exception)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"{host} could not be resolved: {exception.Message}", exception);
        }
    }
}
