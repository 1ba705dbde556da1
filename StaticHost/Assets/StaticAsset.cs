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
    /// <summary>Path relative to the web root, with '/' separators (for example <c>img/logo.svg</c>).</summary>
    public required string SourcePath { get; init; }

    /// <summary>The URL path the asset is served at (for example <c>/assets/app.3f2a1c9e.js</c>).</summary>
    public required string RequestPath { get; init; }

    /// <summary>Short content hash in the URL; null for the un-fingerprinted document.</summary>
    public string? Fingerprint { get; init; }

    public required string ContentType { get; init; }

    public required string CacheControl { get; init; }

    public required AssetRepresentation Identity { get; init; }

    public AssetRepresentation? Brotli { get; init; }

    public AssetRepresentation? Gzip { get; init; }

    public bool IsDocument => Fingerprint is null;

    public bool HasEncodedVariants => Brotli is not null || Gzip is not null;
}
