namespace WebApi.Caching;

/// <summary>
/// The cache generations as this request first read them, one Redis round trip however many of its steps ask
/// (authentication for the token, the endpoint for the catalog). A request reads; a write it makes starts a new
/// generation for the requests after it, which read their own.
/// </summary>
public sealed class CacheGenerationSnapshot(CacheGeneration generation)
{
    private Task<CacheGenerations?>? _read;

    /// <returns>The generations, or null when Redis is unreachable and the cache must not be used.</returns>
    public Task<CacheGenerations?> GetAsync() => _read ??= generation.ReadAsync();
}
