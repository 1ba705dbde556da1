namespace WebApi.Evidence;

public sealed record EvidenceResponse(
    Guid Id,
    Guid ReviewId,
    string ItemId,
    string FileName,
    string ContentType,
    long Length,
    string Sha256,
    string UploadedBy,
    DateTimeOffset UploadedAt,
    string ContentUrl,
    string Etag);

public sealed record EvidenceLinkResponse(Uri Url, DateTimeOffset ExpiresAt);

/// <summary>Bound from <c>Evidence</c>.</summary>
public sealed class EvidenceOptions
{
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// How many files one review item may hold: evidence is kept for as long as its review, so without a bound one
    /// item could fill the storage and make its list endless.
    /// </summary>
    public int MaxFilesPerItem { get; set; } = 50;

    /// <summary>How long a signed download link works.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Blobs without a row, older than this, are deleted by the sweep (younger ones may be uploads in flight).</summary>
    public TimeSpan OrphanAge { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(30);
}
