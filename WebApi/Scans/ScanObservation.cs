namespace WebApi.Scans;

/// <summary>
/// What the latest scan of one environment saw for one item of the service's open review: one row per finding,
/// replaced by the next scan of the same environment. Shown on the item as evidence; it never marks anything done.
/// </summary>
public sealed class ScanObservation
{
    public long Id { get; init; }
    public Guid ReviewId { get; init; }
    public required string ItemId { get; init; }
    public required string Environment { get; init; }
    public long ScanId { get; init; }
    public required string FindingId { get; init; }
    public bool Passed { get; init; }

    /// <summary>"scan #12: HSTS max-age 63072000 seen".</summary>
    public required string Summary { get; init; }

    public DateTimeOffset SeenAt { get; init; }
}
