namespace StaticHost.Assets;

internal static partial class AssetLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Serving {Document} at {RouteCount} client routes and {FileCount} files ({TotalBytes} bytes) from {WebRoot}")]
    public static partial void CatalogBuilt(ILogger logger, string document, int fileCount, int routeCount, long totalBytes, string webRoot);
}
