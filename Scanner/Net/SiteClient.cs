namespace Scanner.Net;

/// <summary>The SSRF-safe <see cref="ISiteClient"/>: resolves each host itself and connects only to addresses it allowed.</summary>
public sealed class SiteClient(ScannerOptions options, IHostResolver? resolver = null) : ISiteClient, IDisposable
{
    public Task<SiteResponses> RetrieveAsync(ScanTarget target, CancellationToken cancellationToken) =>
        throw new NotImplementedException($"{options}{resolver}");

    public Task<ObservedResponse> SendAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public Task<TlsReport> ProbeTlsAsync(string host, int port, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public void Dispose()
    {
    }
}

/// <summary>Resolves host names; tests supply their own to point names at local servers.</summary>
public interface IHostResolver
{
    Task<System.Net.IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
