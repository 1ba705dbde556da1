namespace StaticHost.Assets;

/// <summary>The processed web root: the document plus every other file, looked up by URL path.</summary>
internal sealed class AssetCatalog
{
    private readonly Dictionary<string, StaticAsset> _byRequestPath;

    public AssetCatalog(StaticAsset document, IEnumerable<StaticAsset> files)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(files);

        Document = document;
        Files = [.. files.OrderBy(a => a.SourcePath, StringComparer.Ordinal)];
        _byRequestPath = Files.ToDictionary(a => a.RequestPath, StringComparer.Ordinal);
    }

    /// <summary>index.html: the app's one page, served with <c>no-cache</c> at <c>/</c> and at every client route.</summary>
    public StaticAsset Document { get; }

    /// <summary>Every file but the document, ordered by source path: the content-hashed assets and any public files.</summary>
    public IReadOnlyList<StaticAsset> Files { get; }

    public long TotalBytes => Files.Sum(a => (long)a.Identity.Content.Length) + Document.Identity.Content.Length;

    /// <summary>Finds a file (not the document) by the path it is served at.</summary>
    public bool TryGetByRequestPath(string requestPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAsset? asset) =>
        _byRequestPath.TryGetValue(requestPath, out asset);
}
