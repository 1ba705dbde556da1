using System.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;

namespace WebApi.Caching;

/// <summary>
/// HybridCache runs a loader without the caller's execution context (one load may serve several callers), so its
/// database spans would start traces of their own. This passes the caller's trace context along with the state and
/// opens a "cache fill" span under it, which the loader's spans then nest in.
/// </summary>
internal sealed class TracedHybridCache(HybridCache cache) : HybridCache
{
    public override ValueTask<T> GetOrCreateAsync<TState, T>(
        string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
        cache.GetOrCreateAsync(
            key,
            (Caller: Activity.Current?.Context ?? default, Key: key, State: state, Factory: factory),
            static (fill, token) => FillAsync(fill.Caller, fill.Key, fill.State, fill.Factory, token),
            options,
            tags,
            cancellationToken);

    public override ValueTask SetAsync<T>(
        string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
        cache.SetAsync(key, value, options, tags, cancellationToken);

    public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        cache.RemoveAsync(key, cancellationToken);

    public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        cache.RemoveByTagAsync(tag, cancellationToken);

    private static async ValueTask<T> FillAsync<TState, T>(
        ActivityContext caller, string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, CancellationToken cancellationToken)
    {
        using var activity = CacheTelemetry.Source.StartActivity("cache fill", ActivityKind.Internal, caller);
        activity?.SetTag("cache.key", key);
        return await factory(state, cancellationToken);
    }
}
