using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Scanner.Net;

/// <summary>
/// The SSRF-safe <see cref="ISiteClient"/>: resolves each host itself, refuses what <see cref="TargetPolicy"/> refuses,
/// and connects only to the addresses it checked. Each request gets a handler of its own (as Observatory's agents open
/// a connection per request), so a response's <see cref="ObservedResponse.Verified"/> is that connection's certificate.
/// </summary>
public sealed class SiteClient : ISiteClient, IDisposable
{
    /// <summary>The Origin of the CORS preflight: Observatory's (src/config.js, retriever.corsOrigin).</summary>
    public const string CorsOrigin = "https://http-observatory.security.mozilla.org";

    /// <summary>The page request's Accept (retriever.js, STANDARD_HEADERS).</summary>
    public const string PageAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    /// <summary>The robots.txt request's Accept (retriever.js, ROBOTS_HEADERS).</summary>
    public const string RobotsAccept = "text/plain,*/*;q=0.8";

    /// <summary>The codings the client decodes itself (the cap counts decoded bytes).</summary>
    public const string AcceptEncoding = "gzip, deflate, br";

    private static readonly HashSet<int> RedirectStatuses = [301, 302, 303, 307, 308];

    private readonly ScannerOptions options;
    private readonly TargetPolicy policy;
    private readonly CertificateVerifier verifier;

    public SiteClient(ScannerOptions options, IHostResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        policy = new TargetPolicy(options, resolver);
        verifier = new CertificateVerifier(options.TrustedRootCertificates);
    }

    /// <summary>Raised just before each connect, with the address that passed the policy: for audit logs and tests.</summary>
    public event EventHandler<IPEndPoint>? Connecting;

    public TargetPolicy Policy => policy;

    public async Task<SiteResponses> RetrieveAsync(ScanTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var httpUrl = SessionUrl(target, Uri.UriSchemeHttp, target.ResolvedHttpPort);
        var httpsUrl = SessionUrl(target, Uri.UriSchemeHttps, target.ResolvedHttpsPort);
        policy.CheckSchemeAndPort(httpUrl);
        policy.CheckSchemeAndPort(httpsUrl);

        using var scan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        scan.CancelAfter(options.ScanTimeout);
        try
        {
            return await RetrieveWithinAsync(target, httpUrl, httpsUrl, scan.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ScanFailedException($"the scan of {target.Url} took longer than {options.ScanTimeout.TotalSeconds:0.#} s", exception);
        }
    }

    public Task<ObservedResponse> SendAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        return ExchangeAsync(method, url, headers, cancellationToken);
    }

    public async Task<TlsReport> ProbeTlsAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var endpoint = await policy.ResolveAsync(host, port, cancellationToken).ConfigureAwait(false);
        var probe = new TlsProbe(endpoint, verifier, options.RequestTimeout, ConnectAsync);
        return await probe.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => verifier.Dispose();

    private async Task<SiteResponses> RetrieveWithinAsync(ScanTarget target, Uri httpUrl, Uri httpsUrl, CancellationToken cancellationToken)
    {
        var http = new RetrievalSession(this, httpUrl);
        var https = new RetrievalSession(this, httpsUrl);
        await Task.WhenAll(http.RunAsync(cancellationToken), https.RunAsync(cancellationToken)).ConfigureAwait(false);

        var chosen = https.Final is not null ? https : http;
        if (chosen.Final is not { } final)
        {
            throw new ScanFailedException(
                $"neither {httpUrl} ({http.Failure?.Message}) nor {httpsUrl} ({https.Failure?.Message}) could be reached",
                https.Failure ?? http.Failure);
        }

        // robots.txt only for the cookies it may set; where it fails, Observatory carries on too.
        await chosen.FollowAsync(
            HttpMethod.Get,
            new Uri(chosen.Start, "/robots.txt"),
            new Dictionary<string, string> { ["Accept"] = RobotsAccept },
            recordCookies: true,
            cancellationToken).ConfigureAwait(false);

        var cors = await chosen.FollowAsync(
            HttpMethod.Options,
            final.Url,
            new Dictionary<string, string> { ["Origin"] = CorsOrigin, ["Access-Control-Request-Method"] = "GET" },
            recordCookies: false,
            cancellationToken).ConfigureAwait(false);

        return new SiteResponses
        {
            Hostname = target.Url.Authority,
            Auto = final,
            Http = http.Final,
            Https = https.Final,
            // Observatory reports the preflight as verified exactly when the session's page was.
            Cors = cors is null ? null : cors with { Verified = final.Verified },
            HttpRedirects = http.Hops,
            HttpsRedirects = http.Hops,
            PageText = final.Body,
            SetCookies = chosen.SetCookies,
        };
    }

    /// <summary>One request, no redirects followed, body read up to the cap, within the request timeout.</summary>
    private async Task<ObservedResponse> ExchangeAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        // Refusals happen here, before a handler or a socket exists.
        var endpoint = await policy.ResolveAsync(url, cancellationToken).ConfigureAwait(false);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        var tls = new TlsObservation();
        using var handler = CreateHandler(endpoint, tls);
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", AcceptEncoding);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var responseHeaders = ReadHeaders(response);
            var body = await ReadBodyAsync(response.Content, responseHeaders, timeout.Token).ConfigureAwait(false);
            var verified = url.Scheme != Uri.UriSchemeHttps || tls.Verified == true;
            return new ObservedResponse(url, (int)response.StatusCode, responseHeaders, verified, body);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException(
                HttpRequestError.Unknown,
                $"{url} did not answer within {options.RequestTimeout.TotalSeconds:0.###} s",
                new TimeoutException(exception.Message, exception));
        }
        catch (IOException exception)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded, $"{url} broke off the response: {exception.Message}", exception);
        }
        catch (HttpRequestException exception) when (exception.InnerException is TargetRefusedException refused)
        {
            throw new TargetRefusedException(refused.Message);
        }
    }

    private SocketsHttpHandler CreateHandler(CheckedEndpoint endpoint, TlsObservation tls) => new()
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        // Decompressed here rather than by the handler, which would drop Content-Encoding from the headers the checks read.
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.RequestTimeout,
        ConnectCallback = async (context, cancellationToken) =>
        {
            // The handler may only ask for the endpoint this request checked; it never resolves anything itself. The
            // checked name has no root dot ("example.com."), which the URL, and so the handler, keeps.
            if (context.DnsEndPoint.Port != endpoint.Port
                || !string.Equals(context.DnsEndPoint.Host.Trim('[', ']').TrimEnd('.'), endpoint.Host, StringComparison.OrdinalIgnoreCase))
            {
                throw new TargetRefusedException($"{context.DnsEndPoint} was not checked for this request");
            }

            var socket = await ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = CertificateVerifier.HandshakePolicy(),
            // Never abort on a bad certificate (Observatory retries without verification); remember the verdict instead.
#pragma warning disable CA5359 // The scanner reports bad certificates; nothing it reads is trusted.
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                tls.Verified = certificate is X509Certificate2 leaf
                    && verifier.Verify(leaf, chain?.ChainPolicy.ExtraStore, endpoint.Host).Verified;
                return true;
            },
#pragma warning restore CA5359
        },
    };

    /// <summary>Connects to the first checked address that answers; nothing here resolves a name.</summary>
    private async Task<Socket> ConnectAsync(CheckedEndpoint endpoint, CancellationToken cancellationToken)
    {
        List<SocketException>? failures = null;
        foreach (var address in endpoint.Addresses)
        {
            var remote = new IPEndPoint(address, endpoint.Port);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                Connecting?.Invoke(this, remote);
                await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                (failures ??= []).Add(exception);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException(
            HttpRequestError.ConnectionError,
            $"could not connect to {endpoint.Host}:{endpoint.Port} ({string.Join(", ", endpoint.Addresses)}): {failures?[0].Message}",
            failures is null ? null : new AggregateException(failures));
    }

    private static HeaderCollection ReadHeaders(HttpResponseMessage response)
    {
        // NonValidated keeps each header line as received, so HeaderCollection can apply Node's joining rules.
        var headers = new HeaderCollection();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(name, value);
            }
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(name, value);
            }
        }

        return headers;
    }

    /// <summary>
    /// Reads at most <see cref="ScannerOptions.MaxBodyBytes"/> decoded bytes and stops (never more is buffered);
    /// images, audio, video, fonts, archives and bodies in an unknown encoding are not read.
    /// </summary>
    private async Task<string?> ReadBodyAsync(HttpContent content, HeaderCollection headers, CancellationToken cancellationToken)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(headers.Get("content-type"), out var parsed) ? parsed : null;
        if (IsBinary(mediaType?.MediaType))
        {
            return null;
        }

        var raw = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (Decoded(raw, headers.Get("content-encoding")) is not { } stream)
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        var cap = Math.Max(0, options.MaxBodyBytes);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Clamp(cap, 1, 16 * 1024));
            var length = 0;
            try
            {
                while (length < cap)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(cap, buffer.Length * 2));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, cap) - length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }

                return Decode(buffer.AsSpan(0, length), mediaType?.CharSet);
            }
            catch (InvalidDataException)
            {
                // Content-Encoding says one thing, the bytes another: the headers stand, the body is unreadable.
                return null;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The body decoded per Content-Encoding (gzip, deflate, br, or none), or null for any other coding.</summary>
    private static Stream? Decoded(Stream raw, string? contentEncoding) => contentEncoding?.Trim() switch
    {
        null or "" => raw,
        var coding when coding.Equals("identity", StringComparison.OrdinalIgnoreCase) => raw,
        var coding when coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase) =>
            new GZipStream(raw, CompressionMode.Decompress),
        // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2).
        var coding when coding.Equals("deflate", StringComparison.OrdinalIgnoreCase) => new ZLibStream(raw, CompressionMode.Decompress),
        var coding when coding.Equals("br", StringComparison.OrdinalIgnoreCase) => new BrotliStream(raw, CompressionMode.Decompress),
        _ => null,
    };

    private static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        var encoding = Encoding.UTF8;
        if (!string.IsNullOrWhiteSpace(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"', ' '));
            }
            catch (ArgumentException)
            {
                // An unknown charset reads as UTF-8, as a browser falls back.
            }
        }

        var preamble = encoding.Preamble;
        if (bytes.StartsWith(preamble))
        {
            bytes = bytes[preamble.Length..];
        }

        return encoding.GetString(bytes);
    }

    // Media that is never text. Anything else is read, application/octet-stream included: that is how an exposed
    // .env or .git/HEAD comes back, and the checks want to see it.
    private static bool IsBinary(string? mediaType) =>
        mediaType is not null
        && (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("font/", StringComparison.OrdinalIgnoreCase)
            || mediaType is "application/pdf" or "application/zip" or "application/gzip" or "application/wasm" or "application/x-tar");

    private static Uri SessionUrl(ScanTarget target, string scheme, int port) =>
        new($"{scheme}://{target.Url.Host}:{port}{target.PathAndQuery}");

    private static bool IsRedirect(ObservedResponse response) => RedirectStatuses.Contains(response.Status);

    /// <summary>The verdict of the one TLS connection a per-request handler makes.</summary>
    private sealed class TlsObservation
    {
        public bool? Verified { get; set; }
    }

    /// <summary>
    /// One of Observatory's sessions (session.js): starts at a URL, follows redirects by hand recording each hop,
    /// keeps its own cookie jar, and remembers every Set-Cookie it received.
    /// </summary>
    private sealed class RetrievalSession(SiteClient client, Uri start)
    {
        private readonly CookieContainer jar = new();
        private readonly List<RedirectHop> hops = [];
        private readonly List<SetCookieHeader> setCookies = [];

        public Uri Start => start;

        /// <summary>The page chain's final response, its Verified true only when every hop's certificate was; null when it failed.</summary>
        public ObservedResponse? Final { get; private set; }

        public Exception? Failure { get; private set; }

        public IReadOnlyList<RedirectHop> Hops => hops;

        public IReadOnlyList<SetCookieHeader> SetCookies => setCookies;

        /// <summary>Follows the page's chain. A refused hop refuses the scan; any other failure leaves this session empty.</summary>
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                var verified = true;
                var url = start;
                for (var redirects = 0; ; redirects++)
                {
                    var headers = new Dictionary<string, string> { ["Accept"] = PageAccept };
                    if (jar.GetCookieHeader(url) is { Length: > 0 } cookie)
                    {
                        headers["Cookie"] = cookie;
                    }

                    var response = await client.ExchangeAsync(HttpMethod.Get, url, headers, cancellationToken).ConfigureAwait(false);
                    hops.Add(new RedirectHop(url, response.Status));
                    Remember(response, recordCookies: true);
                    verified &= response.Verified;
                    if (NextHop(response, redirects) is not { } next)
                    {
                        Final = response with { Verified = verified };
                        return;
                    }

                    url = next;
                }
            }
            catch (HttpRequestException exception)
            {
                Failure = exception;
            }
        }

        /// <summary>A request beside the page (robots.txt, the preflight), redirects followed; null when it failed or was refused.</summary>
        public async Task<ObservedResponse?> FollowAsync(HttpMethod method, Uri url, Dictionary<string, string> headers, bool recordCookies, CancellationToken cancellationToken)
        {
            try
            {
                for (var redirects = 0; ; redirects++)
                {
                    var response = await client.ExchangeAsync(method, url, headers, cancellationToken).ConfigureAwait(false);
                    Remember(response, recordCookies);
                    if (NextHop(response, redirects) is not { } next)
                    {
                        return response;
                    }

                    url = next;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TargetRefusedException)
            {
                return null;
            }
        }

        private Uri? NextHop(ObservedResponse response, int redirectsSoFar) =>
            redirectsSoFar < client.options.MaxRedirects
            && IsRedirect(response)
            && response.Headers.Get("location") is { } location
            && Uri.TryCreate(response.Url, location, out var next)
                ? next
                : null;

        private void Remember(ObservedResponse response, bool recordCookies)
        {
            foreach (var value in response.Headers.GetAll("set-cookie"))
            {
                if (recordCookies)
                {
                    setCookies.Add(new SetCookieHeader(response.Url, value));
                }

                try
                {
                    jar.SetCookies(response.Url, value);
                }
                catch (CookieException)
                {
                    // The rubric judges malformed cookies; the jar only decides what later hops send.
                }
            }
        }
    }
}
