using Microsoft.Net.Http.Headers;

namespace StaticHost.Assets;

/// <summary>One encoded form of an asset: the bytes sent on the wire and their strong ETag.</summary>
/// <param name="ContentEncoding">The <c>Content-Encoding</c> token (<c>br</c>, <c>gzip</c>), or null for identity.</param>
/// <param name="Content">The exact response body.</param>
/// <param name="ETag">A strong entity tag derived from <paramref name="Content"/>.</param>
internal sealed record AssetRepresentation(string? ContentEncoding, ReadOnlyMemory<byte> Content, EntityTagHeaderValue ETag);

/// <summary>A file from the web root, processed once at startup and kept in memory.</summary>
internal sealed class StaticAsset
{
    /// <summary>Path relative to the web root, with '/' separators (for example <c>assets/index-BLqziXl_.js</c>).</summary>
    public required string SourcePath { get; init; }

    /// <summary>The URL path the asset is served at: its source path under <c>/</c>.</summary>
    public required string RequestPath { get; init; }

    /// <summary>The content hash Vite put in the file name; null for files whose name does not change with them.</summary>
    public string? ContentHash { get; init; }

    public required string ContentType { get; init; }

    public required string CacheControl { get; init; }

    public required AssetRepresentation Identity { get; init; }

    public AssetRepresentation? Brotli { get; init; }

    public AssetRepresentation? Gzip { get; init; }

    /// <summary>Named after its content, so cached for a year without revalidation.</summary>
    public bool IsImmutable => ContentHash is not null;

    public bool HasEncodedVariants => Brotli is not null || Gzip is not null;
}
