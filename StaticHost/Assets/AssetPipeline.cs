using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace StaticHost.Assets;

/// <summary>
/// Turns the web root (the client app as Vite builds it from ClientApp/) into an <see cref="AssetCatalog"/>, once, at
/// startup, byte for byte as built: Vite already names every file under <c>assets/</c> after its content
/// (<c>index-BLqziXl_.js</c>), and index.html's subresource integrity hashes were computed over those exact bytes, so
/// nothing is renamed or rewritten here. Those files are cached for a year as immutable; index.html and any other file
/// (from ClientApp/public/) are revalidated on every use. Compressible files get Brotli and gzip variants at the
/// smallest-size setting, each with its own strong ETag.
/// </summary>
internal static partial class AssetPipeline
{
    public const string DocumentFileName = "index.html";
    public const string AssetsFolder = "assets";
    public const string AssetsPathPrefix = "/" + AssetsFolder + "/";
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string RevalidateCacheControl = "no-cache";

    private const int BrotliQuality = 11;
    private const int BrotliWindowBits = 22;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Reads and processes every file under <paramref name="webRootPath"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder or its index.html does not exist.</exception>
    /// <exception cref="InvalidOperationException">A file under assets/ has no content hash in its name.</exception>
    public static AssetCatalog Build(string webRootPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(webRootPath);
        var root = Path.GetFullPath(webRootPath);
        if (!File.Exists(Path.Combine(root, DocumentFileName)))
        {
            throw new DirectoryNotFoundException(
                $"No {DocumentFileName} in the web root '{root}'. It is the client app's build output: build StaticHost "
                + "(its build runs `npm run build` in ClientApp/), and start it with the StaticHost project folder as the "
                + "working directory (or set ASPNETCORE_WEBROOT).");
        }

        StaticAsset? document = null;
        var files = new List<StaticAsset>();
        foreach (var (sourcePath, fullPath) in EnumerateFiles(root))
        {
            var asset = Process(sourcePath, File.ReadAllBytes(fullPath));
            if (sourcePath == DocumentFileName)
            {
                document = asset;
            }
            else
            {
                files.Add(asset);
            }
        }

        return new AssetCatalog(document!, files);
    }

    /// <summary>
    /// The content hash in a built file's name: Vite (Rolldown) writes <c>[name]-[hash][extname]</c>, the hash being
    /// 8 characters of URL-safe base64. Null when the name carries none.
    /// </summary>
    public static string? ContentHashOf(string fileName)
    {
        var match = HashedFileName().Match(fileName);
        return match.Success ? match.Groups["hash"].Value : null;
    }

    /// <summary>Files servable by content type, '/'-separated paths relative to the root, in order; dot-files are skipped.</summary>
    private static IEnumerable<(string SourcePath, string FullPath)> EnumerateFiles(string root)
    {
        foreach (var fullPath in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var sourcePath = Path.GetRelativePath(root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
            if (sourcePath.Split('/').Any(segment => segment.StartsWith('.')) || MediaTypeFor(sourcePath) is null)
            {
                continue;
            }

            yield return (sourcePath, fullPath);
        }
    }

    private static StaticAsset Process(string sourcePath, byte[] content)
    {
        var mediaType = MediaTypeFor(sourcePath)!;
        string? contentHash = null;
        if (sourcePath.StartsWith(AssetsFolder + "/", StringComparison.Ordinal))
        {
            contentHash = ContentHashOf(sourcePath[(sourcePath.LastIndexOf('/') + 1)..])
                ?? throw new InvalidOperationException(
                    $"'{sourcePath}' has no content hash in its name, yet everything under {AssetsPathPrefix} is cached for a year. "
                    + "Let Vite name it (assets/[name]-[hash][extname]), or put it in ClientApp/public/ to serve it at its own path.");
        }

        var compressible = IsCompressible(mediaType);
        return new StaticAsset
        {
            SourcePath = sourcePath,
            RequestPath = "/" + sourcePath,
            ContentHash = contentHash,
            ContentType = ContentTypeHeader(mediaType),
            CacheControl = contentHash is null ? RevalidateCacheControl : ImmutableCacheControl,
            Identity = Represent(null, content),
            Brotli = compressible ? Variant("br", content, CompressBrotli) : null,
            Gzip = compressible ? Variant("gzip", content, CompressGzip) : null,
        };
    }

    /// <summary>The media type by file extension, or null for types that are not served.</summary>
    private static string? MediaTypeFor(string path) =>
        ContentTypes.TryGetContentType(path, out var mediaType) ? mediaType : null;

    private static string ContentTypeHeader(string mediaType) =>
        IsText(mediaType) ? mediaType + "; charset=utf-8" : mediaType;

    private static bool IsText(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.Ordinal)
        || mediaType is "application/json" or "application/manifest+json" or "image/svg+xml" or "application/xml";

    /// <summary>Already-compressed formats (PNG, JPEG, WOFF2...) gain nothing from a second pass.</summary>
    private static bool IsCompressible(string mediaType) =>
        IsText(mediaType) || mediaType is "application/wasm" or "image/x-icon" or "font/ttf" or "font/otf";

    private static AssetRepresentation Represent(string? contentEncoding, byte[] content) =>
        new(contentEncoding, content, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\""));

    private static byte[] CompressBrotli(byte[] content)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(content.Length)];
        if (!BrotliEncoder.TryCompress(content, buffer, out var written, BrotliQuality, BrotliWindowBits))
        {
            throw new InvalidOperationException("Brotli compression failed.");
        }

        return buffer[..written];
    }

    private static byte[] CompressGzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    /// <summary>A compressed variant is only kept when it is actually smaller.</summary>
    private static AssetRepresentation? Variant(string encoding, byte[] identity, Func<byte[], byte[]> compress)
    {
        var compressed = compress(identity);
        return compressed.Length < identity.Length ? Represent(encoding, compressed) : null;
    }

    [GeneratedRegex(@"^.+-(?<hash>[A-Za-z0-9_-]{8})(?:\.[A-Za-z0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex HashedFileName();
}
