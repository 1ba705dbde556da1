using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace StaticHost.Assets;

/// <summary>
/// Turns a web root folder into an <see cref="AssetCatalog"/>, once, at startup:
/// every file except <c>index.html</c> is fingerprinted (SHA-256 of its final bytes, short hex, in the file name,
/// served under <c>/assets/</c> and cached for a year); references between files (HTML <c>src</c>/<c>href</c>,
/// CSS <c>url()</c>/<c>@import</c>, ES module imports) are rewritten to the fingerprinted URLs, dependencies first,
/// so a change in any file changes the fingerprint of every file that refers to it;
/// compressible files get Brotli and gzip variants at the smallest-size setting.
/// </summary>
internal static class AssetPipeline
{
    public const string DocumentFileName = "index.html";
    public const string AssetsPathPrefix = "/assets/";
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string DocumentCacheControl = "no-cache";
    public const int FingerprintLength = 8;

    private const int BrotliQuality = 11;
    private const int BrotliWindowBits = 22;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and processes every file under <paramref name="webRootPath"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder or its index.html does not exist.</exception>
    /// <exception cref="InvalidOperationException">Files refer to each other in a cycle.</exception>
    public static AssetCatalog Build(string webRootPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(webRootPath);
        var root = Path.GetFullPath(webRootPath);
        if (!File.Exists(Path.Combine(root, DocumentFileName)))
        {
            throw new DirectoryNotFoundException(
                $"No {DocumentFileName} in the web root '{root}'. StaticHost serves its project's wwwroot folder: "
                + "start it with the StaticHost project folder as the working directory (or set ASPNETCORE_WEBROOT).");
        }

        return new Builder(root).Build();
    }

    /// <summary>The first <see cref="FingerprintLength"/> lower-case hex digits of the SHA-256 of <paramref name="content"/>.</summary>
    public static string ComputeFingerprint(ReadOnlySpan<byte> content) =>
        Convert.ToHexStringLower(SHA256.HashData(content))[..FingerprintLength];

    /// <summary><c>img/logo.svg</c> with fingerprint <c>0a1b2c3d</c> becomes <c>/assets/img/logo.0a1b2c3d.svg</c>.</summary>
    public static string FingerprintedPath(string sourcePath, string fingerprint)
    {
        var slash = sourcePath.LastIndexOf('/');
        var directory = sourcePath[..(slash + 1)];
        var fileName = sourcePath[(slash + 1)..];
        var dot = fileName.LastIndexOf('.');
        var name = dot <= 0 ? fileName : fileName[..dot];
        var extension = dot <= 0 ? string.Empty : fileName[dot..];
        return $"{AssetsPathPrefix}{directory}{name}.{fingerprint}{extension}";
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

    private sealed class Builder(string root)
    {
        private readonly Dictionary<string, string> _files = EnumerateFiles(root);
        private readonly Dictionary<string, StaticAsset> _done = new(StringComparer.Ordinal);
        private readonly List<string> _inProgress = [];

        public AssetCatalog Build()
        {
            foreach (var sourcePath in _files.Keys.Order(StringComparer.Ordinal))
            {
                Process(sourcePath);
            }

            var document = _done[DocumentFileName];
            return new AssetCatalog(document, _done.Values.Where(a => !a.IsDocument));
        }

        /// <summary>Files servable by content type, keyed by '/'-separated path relative to the root; dot-files are skipped.</summary>
        private static Dictionary<string, string> EnumerateFiles(string root)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var fullPath in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var sourcePath = Path.GetRelativePath(root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
                if (sourcePath.Split('/').Any(segment => segment.StartsWith('.')) || MediaTypeFor(sourcePath) is null)
                {
                    continue;
                }

                files[sourcePath] = fullPath;
            }

            return files;
        }

        private StaticAsset Process(string sourcePath)
        {
            if (_done.TryGetValue(sourcePath, out var existing))
            {
                return existing;
            }

            if (_inProgress.Contains(sourcePath))
            {
                var cycle = string.Join(" -> ", _inProgress.SkipWhile(p => p != sourcePath).Append(sourcePath));
                throw new InvalidOperationException(
                    $"Web root files refer to each other in a cycle ({cycle}), so their fingerprints cannot be computed.");
            }

            _inProgress.Add(sourcePath);
            var content = Rewrite(sourcePath, File.ReadAllBytes(_files[sourcePath]));
            _inProgress.RemoveAt(_inProgress.Count - 1);

            var mediaType = MediaTypeFor(sourcePath)!;
            var isDocument = sourcePath == DocumentFileName;
            var fingerprint = isDocument ? null : ComputeFingerprint(content);
            var compressible = IsCompressible(mediaType);

            var asset = new StaticAsset
            {
                SourcePath = sourcePath,
                RequestPath = fingerprint is null ? "/" + sourcePath : FingerprintedPath(sourcePath, fingerprint),
                Fingerprint = fingerprint,
                ContentType = ContentTypeHeader(mediaType),
                CacheControl = isDocument ? DocumentCacheControl : ImmutableCacheControl,
                Identity = Represent(null, content),
                Brotli = compressible ? Variant("br", content, CompressBrotli) : null,
                Gzip = compressible ? Variant("gzip", content, CompressGzip) : null,
            };
            _done[sourcePath] = asset;
            return asset;
        }

        /// <summary>Replaces references to other files with their fingerprinted URLs; the bytes are untouched if there are none.</summary>
        private byte[] Rewrite(string sourcePath, byte[] content)
        {
            var syntax = AssetReferenceRewriter.SyntaxFor(sourcePath);
            if (syntax == ReferenceSyntax.None)
            {
                return content;
            }

            var text = Utf8NoBom.GetString(content);
            var rewritten = AssetReferenceRewriter.Rewrite(text, syntax, reference =>
            {
                var target = Resolve(sourcePath, reference);
                return target is null || target == DocumentFileName ? null : Process(target).RequestPath;
            });

            return rewritten == text ? content : Utf8NoBom.GetBytes(rewritten);
        }

        /// <summary>Resolves a URL path as written in <paramref name="fromSourcePath"/> to a file of the web root, if it is one.</summary>
        private string? Resolve(string fromSourcePath, string reference)
        {
            var directory = fromSourcePath[..(fromSourcePath.LastIndexOf('/') + 1)];
            var combined = reference.StartsWith('/') ? reference[1..] : directory + reference;

            var segments = new List<string>();
            foreach (var segment in combined.Split('/'))
            {
                switch (segment)
                {
                    case ".":
                        continue;
                    case "..":
                        if (segments.Count == 0)
                        {
                            return null;
                        }

                        segments.RemoveAt(segments.Count - 1);
                        continue;
                    case "":
                        return null;
                    default:
                        segments.Add(segment);
                        continue;
                }
            }

            var normalized = string.Join('/', segments);
            return _files.ContainsKey(normalized) ? normalized : null;
        }
    }
}
