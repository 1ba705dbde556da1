using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace Backup;

/// <summary>
/// Backups in blob storage, one blob each, named by the time they were taken (<c>readiness-20261201T030000123Z.dump</c>),
/// so names sort oldest first. Blobs are written once and never overwritten.
/// </summary>
public sealed class BackupStore(IConfiguration configuration, IOptions<BackupOptions> options)
{
    public const string ConnectionName = "evidence";
    private const string Prefix = "readiness-";
    private const string Extension = ".dump";
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfff'Z'";

    private readonly Lazy<BlobContainerClient> _container = new(() =>
        new BlobContainerClient(configuration.GetRequiredConnectionString(ConnectionName), options.Value.Container));

    public static string NameFor(DateTimeOffset takenAt) => Prefix + takenAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + Extension;

    /// <summary>When a backup of this name was taken, or null for a name that is not one of ours.</summary>
    public static DateTimeOffset? TakenAt(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Extension, StringComparison.Ordinal)
        && DateTime.TryParseExact(name[Prefix.Length..^Extension.Length], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero)
            : null;

    public async Task UploadAsync(string name, string path, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        await container.GetBlobClient(name).UploadAsync(path, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/vnd.postgresql.custom-dump" },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken);
    }

    /// <returns>False when there is no backup of that name.</returns>
    public async Task<bool> DownloadAsync(string name, string path, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        try
        {
            await container.GetBlobClient(name).DownloadToAsync(path, cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Our backups, oldest first, with their sizes.</summary>
    public async Task<IReadOnlyList<(string Name, DateTimeOffset TakenAt, long Bytes)>> ListAsync(CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        var backups = new List<(string, DateTimeOffset, long)>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix }, cancellationToken))
        {
            if (TakenAt(blob.Name) is { } at)
            {
                backups.Add((blob.Name, at, blob.Properties.ContentLength ?? 0));
            }
        }

        return [.. backups.OrderBy(b => b.Item1, StringComparer.Ordinal)];
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> backups; returns the names deleted.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(int keep, CancellationToken cancellationToken)
    {
        var backups = await ListAsync(cancellationToken);
        var container = await ContainerAsync(cancellationToken);
        var doomed = backups.Take(Math.Max(0, backups.Count - Math.Max(1, keep))).Select(b => b.Name).ToList();
        foreach (var name in doomed)
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }

        return doomed;
    }

    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var container = _container.Value;
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return container;
    }
}
