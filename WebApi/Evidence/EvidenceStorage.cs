using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace WebApi.Evidence;

/// <summary>
/// Evidence files in Azure Blob storage (Azurite locally), one container, each under a random name. The connection
/// string is read on first use, so the app starts without one (and without the storage being up).
/// </summary>
public sealed partial class EvidenceStorage(IConfiguration configuration, ILogger<EvidenceStorage> logger)
{
    public const string ConnectionName = "evidence";
    public const string ContainerName = "evidence";

    private readonly Lazy<BlobContainerClient> _container = new(() => new BlobContainerClient(
        configuration.GetRequiredConnectionString(ConnectionName), ContainerName));

    private volatile bool _containerExists;

    public static string NewBlobName() => Guid.NewGuid().ToString("N");

    public async Task UploadAsync(string blobName, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        // Never overwrites: a name is used once. Blocks of 1 MiB, one at a time: the SDK stages up to five at once by
        // default, each held in memory while it is sent.
        await container.GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType, ContentDisposition = "attachment" },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            TransferOptions = new Azure.Storage.StorageTransferOptions { MaximumTransferSize = 1024 * 1024, InitialTransferSize = 1024 * 1024, MaximumConcurrency = 1 },
        }, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        return await container.GetBlobClient(blobName).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
    }

    /// <summary>A read-only URL for one blob that stops working after <paramref name="lifetime"/>; the browser saves the file rather than showing it.</summary>
    public Uri ReadLink(string blobName, string fileName, string contentType, TimeSpan lifetime)
    {
        var blob = _container.Value.GetBlobClient(blobName);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, DateTimeOffset.UtcNow.Add(lifetime))
        {
            BlobContainerName = ContainerName,
            BlobName = blobName,
            Resource = "b",
            ContentDisposition = ContentDisposition(fileName),
            ContentType = contentType,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        return blob.GenerateSasUri(sas);
    }

    public async Task DeleteAsync(string blobName, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        await container.GetBlobClient(blobName).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
    }

    /// <summary>Best effort, after the rows are gone: a blob that cannot be deleted now is left for the orphan sweep.</summary>
    public async Task DeleteManyAsync(IEnumerable<string> blobNames, CancellationToken cancellationToken)
    {
        foreach (var blobName in blobNames)
        {
            try
            {
                await DeleteAsync(blobName, cancellationToken);
            }
            // AggregateException: the SDK's retries spent on a storage it cannot reach.
            catch (Exception exception) when (exception is RequestFailedException or IOException or HttpRequestException or AggregateException)
            {
                LogDeleteFailed(logger, blobName, exception.GetType().Name);
            }
        }
    }

    /// <summary>Blob names with their creation times, for the orphan sweep.</summary>
    public async IAsyncEnumerable<(string Name, DateTimeOffset CreatedOn)> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            yield return (blob.Name, blob.Properties.CreatedOn ?? DateTimeOffset.MinValue);
        }
    }

    /// <summary>One authenticated round trip to the container; throws when the storage cannot answer.</summary>
    public async Task IsReachableAsync(CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        await container.GetPropertiesAsync(cancellationToken: cancellationToken);
    }

    /// <summary><c>attachment</c> with the name in RFC 6266's UTF-8 form, and a plain ASCII fallback.</summary>
    public static string ContentDisposition(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var ascii = new string([.. fileName.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_')]);
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var container = _container.Value;
        if (!_containerExists)
        {
            // Private: no anonymous reads, every download goes through WebApi or a signed link.
            await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);
            _containerExists = true;
        }

        return container;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete evidence blob {BlobName} ({ExceptionType}); the orphan sweep will retry.")]
    private static partial void LogDeleteFailed(ILogger logger, string blobName, string exceptionType);
}
