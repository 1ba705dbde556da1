using System.Security.Authentication;

namespace Scanner;

/// <summary>What a TLS handshake with the target showed.</summary>
/// <param name="Host">The name sent as SNI and matched against the certificate.</param>
/// <param name="Port">The port probed.</param>
/// <param name="Protocol">The protocol negotiated by a modern client; null when no handshake succeeded.</param>
/// <param name="CipherSuite">The cipher suite negotiated.</param>
/// <param name="AcceptsTls10">The server completed a TLS 1.0 ServerHello.</param>
/// <param name="AcceptsTls11">The server completed a TLS 1.1 ServerHello.</param>
/// <param name="NotAfter">The leaf certificate's expiry.</param>
/// <param name="ChainTrusted">The chain builds to a trusted root (system roots plus any configured).</param>
/// <param name="NameMatches">The leaf certificate covers <paramref name="Host"/>.</param>
/// <param name="ChainProblems">What chain building reported, empty when trusted.</param>
/// <param name="Subject">The leaf certificate's subject.</param>
/// <param name="Issuer">The leaf certificate's issuer.</param>
/// <param name="Error">Why the probe could not handshake at all, else null.</param>
public sealed record TlsReport(
    string Host,
    int Port,
    SslProtocols? Protocol,
    string? CipherSuite,
    bool AcceptsTls10,
    bool AcceptsTls11,
    DateTimeOffset? NotAfter,
    bool ChainTrusted,
    bool NameMatches,
    IReadOnlyList<string> ChainProblems,
    string? Subject,
    string? Issuer,
    string? Error)
{
    public int? DaysToExpiry(DateTimeOffset now) => NotAfter is { } notAfter ? (int)Math.Floor((notAfter - now).TotalDays) : null;
}
