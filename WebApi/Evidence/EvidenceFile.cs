namespace WebApi.Evidence;

/// <summary>A file attached to a review item. The bytes live in blob storage under <see cref="BlobName"/>, a random key.</summary>
public sealed class EvidenceFile
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ReviewId { get; init; }
    public required string ItemId { get; init; }
    public required string BlobName { get; init; }

    /// <summary>The uploader's name for the file, sanitized; metadata only, never a path.</summary>
    public required string FileName { get; init; }

    public required string ContentType { get; init; }
    public long Length { get; init; }
    public required string Sha256 { get; init; }
    public required string UploadedBy { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    public uint Version { get; set; }
}
