namespace StaticHost.Assets;

internal static partial class AssetLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Serving {Document} and {AssetCount} fingerprinted assets ({TotalBytes} bytes) from {WebRoot}")]
    public static partial void CatalogBuilt(ILogger logger, string document, int assetCount, long totalBytes, string webRoot);
}
