using System.Security.Authentication;

namespace Scanner.Tests.Checks;

/// <summary>Hand-built responses for the pure checks.</summary>
internal static class Build
{
    public static readonly Uri Page = new("https://example.test/");

    public static ObservedResponse Response(int status = 200, string? body = null, Uri? url = null, params (string Name, string Value)[] headers) =>
        new(url ?? Page, status, Headers(headers), true, body);

    public static HeaderCollection Headers(params (string Name, string Value)[] headers) =>
        new(headers.Select(header => new KeyValuePair<string, string>(header.Name, header.Value)));

    public static TlsReport Tls(
        SslProtocols? protocol = SslProtocols.Tls13, bool tls10 = false, bool tls11 = false, DateTimeOffset? notAfter = null,
        bool trusted = true, bool nameMatches = true, string? error = null) =>
        new("example.test", 443, protocol, "TLS_AES_256_GCM_SHA384", tls10, tls11, notAfter, trusted, nameMatches,
            trusted ? [] : ["UntrustedRoot"], "CN=example.test", "CN=Test CA", error);
}
