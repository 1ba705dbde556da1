using System.Diagnostics;

namespace WebApi.Caching;

/// <summary>
/// Spans of the cache layer: Redis calls (no StackExchange.Redis tracing instrumentation is available here)
/// and cache fills, which carry the requesting trace into the loader and so to its PostgreSQL spans.
/// </summary>
internal static class CacheTelemetry
{
    public const string ActivitySourceName = "WebApi.Caching";

    public static readonly ActivitySource Source = new(ActivitySourceName);
}
