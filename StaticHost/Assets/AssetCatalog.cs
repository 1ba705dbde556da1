namespace StaticHost.Assets;

/// <summary>The processed web root: the document plus every fingerprinted asset, looked up by URL path.</summary>
internal sealed class AssetCatalog
{
    private readonly Dictionary<string, StaticAsset> _byRequestPath;
    private readonly Dictionary<string, StaticAsset> _bySourcePath;

    public AssetCatalog(StaticAsset document, IEnumerable<StaticAsset> assets)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(assets);

        Document = document;
        Assets = [.. assets.OrderBy(a => a.SourcePath, StringComparer.Ordinal)];
        _byRequestPath = Assets.ToDictionary(a => a.RequestPath, StringComparer.Ordinal);
        _bySourcePath = Assets.ToDictionary(a => a.SourcePath, StringComparer.Ordinal);
        _bySourcePath[document.SourcePath] = document;
    }

    /// <summary>The un-fingerprinted HTML document (index.html), served with <c>no-cache</c>.</summary>
    public StaticAsset Document { get; }

    /// <summary>The fingerprinted assets (everything except the document), ordered by source path.</summary>
    public IReadOnlyList<StaticAsset> Assets { get; }

    public long TotalBytes => Assets.Sum(a => (long)a.Identity.Content.Length) + Document.Identity.Content.Length;

    /// <summary>Finds a fingerprinted asset by the path it is served at.</summary>
    public bool TryGetByRequestPath(string requestPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAsset? asset) =>
        _byRequestPath.TryGetValue(requestPath, out asset);

    /// <summary>Finds an asset (or the document) by its path in the web root, e.g. <c>app.js</c>.</summary>
    public bool TryGetBySourcePath(string sourcePath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticAsset? asset) =>
        _bySourcePath.TryGetValue(sourcePath, out asset);
}
