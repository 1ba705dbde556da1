namespace WebApi.Reviews;

/// <summary>A review with its items counted by PostgreSQL, for lists that show scores without loading every item.</summary>
public sealed class ReviewCounts
{
    public Guid Id { get; init; }
    public Guid ServiceId { get; init; }
    public required string ChecklistId { get; init; }
    public required string ChecklistVersion { get; init; }
    public ReviewState State { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public uint Version { get; init; }
    public int Total { get; init; }
    public int Done { get; init; }
    public int Waived { get; init; }

    public ItemCounts Counts => new(Total, Done, Waived);
}

public static class ReviewCountQueries
{
    /// <summary>
    /// Each review with its counts on <paramref name="today"/>, in SQL: the same rule as <see cref="ReviewScoring.EffectiveStatus"/>,
    /// where a waiver counts only once approved and until it expires. A member initializer, so callers can still filter and sort.
    /// </summary>
    public static IQueryable<ReviewCounts> WithCounts(this IQueryable<Review> reviews, DateOnly today) =>
        reviews.Select(r => new ReviewCounts
        {
            Id = r.Id,
            ServiceId = r.ServiceId,
            ChecklistId = r.ChecklistId,
            ChecklistVersion = r.ChecklistVersion,
            State = r.State,
            StartedAt = r.StartedAt,
            CompletedAt = r.CompletedAt,
            Version = r.Version,
            Total = r.Items.Count(),
            Done = r.Items.Count(i => i.Status == ItemStatus.Done),
            Waived = r.Items.Count(i => i.Status == ItemStatus.Waived && i.Waiver != null && i.Waiver.ApprovedAt != null && i.Waiver.ExpiresOn >= today),
        });
}
