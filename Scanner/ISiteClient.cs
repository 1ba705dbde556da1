namespace Scanner;

/// <summary>
/// The scanner's only way out to the network. The implementation refuses targets that are not allowed
/// (loopback, private, link-local, unique-local and metadata addresses, other schemes and ports) before it connects,
/// and connects to the very address it checked; it re-checks every redirect hop.
/// </summary>
public interface ISiteClient
{
    /// <summary>
    /// Retrieves a site as MDN HTTP Observatory's retriever does: an http session and an https session
    /// (each following redirects), /robots.txt for more cookies, and a CORS preflight at the final URL.
    /// </summary>
    /// <exception cref="TargetRefusedException">The target is not allowed.</exception>
    /// <exception cref="ScanFailedException">Neither session connected.</exception>
    Task<SiteResponses> RetrieveAsync(ScanTarget target, CancellationToken cancellationToken);

    /// <summary>One request, redirects not followed, body read up to the cap.</summary>
    /// <exception cref="TargetRefusedException">The URL is not allowed.</exception>
    /// <exception cref="HttpRequestException">It could not connect or the exchange failed.</exception>
    Task<ObservedResponse> SendAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken);

    /// <summary>Handshakes with a modern client, then asks whether TLS 1.0 and 1.1 are still accepted.</summary>
    /// <exception cref="TargetRefusedException">The host or port is not allowed.</exception>
    Task<TlsReport> ProbeTlsAsync(string host, int port, CancellationToken cancellationToken);
}

/// <summary>The target is not one the scanner may connect to; the message says which rule refused it.</summary>
public sealed class TargetRefusedException(string message) : Exception(message);

/// <summary>The scan could not produce a grade (unreachable, an unexpected status, out of time); the message says why.</summary>
public sealed class ScanFailedException(string message, Exception? inner = null) : Exception(message, inner);
