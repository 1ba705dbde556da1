using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scanner.Net;

/// <summary>
/// Probes one checked endpoint: a modern handshake through <see cref="SslStream"/> (whatever the system offers,
/// TLS 1.2/1.3 here) for the protocol, suite and certificate, and hand-built TLS 1.0 and 1.1 ClientHellos
/// (<see cref="LegacyClientHello"/>) for whether the server still accepts those.
/// </summary>
internal sealed class TlsProbe(
    CheckedEndpoint endpoint,
    CertificateVerifier verifier,
    TimeSpan timeout,
    Func<CheckedEndpoint, CancellationToken, Task<Socket>> connect)
{
    public async Task<TlsReport> RunAsync(CancellationToken cancellationToken)
    {
        var modern = HandshakeAsync(cancellationToken);
        var tls10 = AcceptsLegacyAsync(LegacyClientHello.Tls10, cancellationToken);
        var tls11 = AcceptsLegacyAsync(LegacyClientHello.Tls11, cancellationToken);
        await Task.WhenAll(modern, tls10, tls11).ConfigureAwait(false);

        var (protocol, suite, verdict, error) = await modern.ConfigureAwait(false);
        return new TlsReport(
            endpoint.Host,
            endpoint.Port,
            protocol,
            suite,
            await tls10.ConfigureAwait(false),
            await tls11.ConfigureAwait(false),
            verdict?.NotAfter,
            verdict?.ChainTrusted ?? false,
            verdict?.NameMatches ?? false,
            verdict?.ChainProblems ?? [],
            verdict?.Subject,
            verdict?.Issuer,
            error);
    }

    private async Task<(SslProtocols? Protocol, string? Suite, CertificateVerdict? Verdict, string? Error)> HandshakeAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        CertificateVerdict? verdict = null;
        try
        {
            var socket = await connect(endpoint, deadline.Token).ConfigureAwait(false);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await using (tls.ConfigureAwait(false))
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = LegacyClientHello.ServerName(endpoint.Host) ?? "",
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        CertificateChainPolicy = CertificateVerifier.HandshakePolicy(),
                        // Judge the certificate here, where the server's intermediates are at hand, and go on whatever it is.
#pragma warning disable CA5359 // The probe reports bad certificates; nothing it reads is trusted.
                        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                        {
                            if (certificate is X509Certificate2 leaf)
                            {
                                verdict = verifier.Verify(leaf, chain?.ChainPolicy.ExtraStore, endpoint.Host);
                            }

                            return true;
                        },
#pragma warning restore CA5359
                    },
                    deadline.Token).ConfigureAwait(false);
                return (tls.SslProtocol, tls.NegotiatedCipherSuite.ToString(), verdict, null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null, verdict, $"no handshake within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or SocketException or HttpRequestException)
        {
            return (null, null, verdict, exception.Message);
        }
    }

    /// <summary>Sends a ClientHello offering only <paramref name="version"/> and reads whether a ServerHello for it comes back.</summary>
    private async Task<bool> AcceptsLegacyAsync(ushort version, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var serverName = LegacyClientHello.ServerName(endpoint.Host);
        var length = LegacyClientHello.GetLength(serverName);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, LegacyClientHello.ServerHelloPrefixLength));
        try
        {
            using var socket = await connect(endpoint, deadline.Token).ConfigureAwait(false);
            Span<byte> random = stackalloc byte[32];
            RandomNumberGenerator.Fill(random);
            LegacyClientHello.Write(buffer, version, serverName, random);
            await socket.SendAsync(buffer.AsMemory(0, length), SocketFlags.None, deadline.Token).ConfigureAwait(false);

            // Enough of the first record to see its type, the handshake type and server_version; an alert is shorter.
            var answer = buffer.AsMemory(0, LegacyClientHello.ServerHelloPrefixLength);
            var received = 0;
            while (received < answer.Length)
            {
                var read = await socket.ReceiveAsync(answer[received..], SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                received += read;
            }

            return LegacyClientHello.IsServerHelloFor(answer.Span[..received], version);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception exception) when (exception is IOException or SocketException or HttpRequestException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
