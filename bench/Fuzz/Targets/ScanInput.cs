using System.Security.Authentication;
using System.Text;
using Scanner;

namespace ReadinessAspire.Fuzz;

/// <summary>Responses as the scanner's <c>SiteClient</c> could receive them, built from fuzz input.</summary>
internal static class ScanInput
{
    public static readonly Uri Page = new("https://www.example.test/app/index.html");

    /// <summary>
    /// A header value as SocketsHttpHandler hands it over (Latin-1, no CR, LF or NUL: HttpClient refuses a response
    /// with those). Returns null for what no response could carry.
    /// </summary>
    public static string? HeaderValue(string line)
    {
        var value = line.Trim(' ', '\t');
        return value.Any(c => c is '\r' or '\n' or '\0' || c > '\u00FF') ? null : value;
    }

    /// <summary>A header name HttpClient accepts: an RFC 9110 token.</summary>
    public static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));

    /// <summary>Bytes as header text: each byte one character, as HttpClient decodes response headers.</summary>
    public static string Latin1(ReadOnlySpan<byte> input) => Encoding.Latin1.GetString(input);

    /// <summary>A retrieval whose every session ends at <paramref name="page"/>: the scanner sees one site.</summary>
    public static SiteResponses Retrieval(ObservedResponse page, string? pageText) => new()
    {
        Hostname = page.Url.Authority,
        Auto = page,
        Http = page with { Url = new UriBuilder(page.Url) { Scheme = "http", Port = 80 }.Uri },
        Https = page,
        Cors = page,
        HttpRedirects = [new RedirectHop(new UriBuilder(page.Url) { Scheme = "http", Port = 80 }.Uri, 301), new RedirectHop(page.Url, page.Status)],
        HttpsRedirects = [new RedirectHop(page.Url, page.Status)],
        PageText = pageText,
        SetCookies = [.. page.Headers.GetAll("set-cookie").Select(value => new SetCookieHeader(page.Url, value))],
    };

    /// <summary>A site client that answers every request with the same response (its URL the one asked for).</summary>
    public sealed class OneResponseClient(SiteResponses retrieval, ObservedResponse response) : ISiteClient
    {
        public Task<SiteResponses> RetrieveAsync(ScanTarget target, CancellationToken cancellationToken) => Task.FromResult(retrieval);

        public Task<ObservedResponse> SendAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken) =>
            Task.FromResult(response with { Url = url });

        public Task<TlsReport> ProbeTlsAsync(string host, int port, CancellationToken cancellationToken) =>
            Task.FromResult(new TlsReport(host, port, SslProtocols.Tls13, "TLS_AES_128_GCM_SHA256", false, false,
                DateTimeOffset.UnixEpoch.AddYears(60), true, true, [], "CN=" + host, "CN=Fuzz CA", null));
    }
}
