using WebApi.Data;

namespace WebApi.Reviews;

public sealed class Review
{
    /// <summary>
    /// A new open review of <paramref name="serviceId"/> with every item of <paramref name="checklist"/> (sections and
    /// items loaded), copied so that later versions of the checklist never change a review already under way.
    /// </summary>
    public static Review Start(Checklist checklist, Guid serviceId, string startedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(checklist);
        var review = new Review
        {
            ServiceId = serviceId,
            ChecklistId = checklist.Id,
            ChecklistVersion = checklist.Version,
            StartedBy = startedBy,
            StartedAt = now,
        };
        var order = 0;
        foreach (var section in checklist.Sections.OrderBy(s => s.Order))
        {
            foreach (var item in section.Items.OrderBy(i => i.Order))
            {
                review.Items.Add(new ReviewItem
                {
                    ReviewId = review.Id,
                    ItemId = item.Id,
                    SectionId = section.Id,
                    SectionTitle = section.Title,
                    Title = item.Title,
                    Order = order++,
                    UpdatedAt = now,
                });
            }
        }

        return review;
    }

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ServiceId { get; init; }
    public required string ChecklistId { get; init; }

    /// <summary>The checklist version the review started with; its items were copied then and never follow later versions.</summary>
    public required string ChecklistVersion { get; init; }

    public ReviewState State { get; set; }
    public required string StartedBy { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public uint Version { get; set; }
    public List<ReviewItem> Items { get; init; } = [];
}

public enum ReviewState
{
    Open,
    Completed,
}

public sealed class ReviewItem
{
    public Guid ReviewId { get; init; }
    public required string ItemId { get; init; }
    public required string SectionId { get; init; }
    public required string SectionTitle { get; init; }
    public required string Title { get; init; }
    public int Order { get; init; }
    public ItemStatus Status { get; set; }

    /// <summary>Markdown as the user wrote it; rendered through the sanitizer on every read, never stored as HTML.</summary>
    public string Notes { get; set; } = "";

    public string? AssigneeId { get; set; }
    public DateOnly? DueOn { get; set; }
    public Waiver? Waiver { get; set; }

    /// <summary>Why a scan put the item at risk; cleared when a person sets the status again.</summary>
    public string? RiskReason { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
    public uint Version { get; set; }
}

public enum ItemStatus
{
    NotStarted,
    InProgress,
    Done,
    Waived,
    AtRisk,
}

/// <summary>An item accepted as not done, for a reason, until a date. It counts only once an owner approved it and until it expires.</summary>
public sealed class Waiver
{
    public required string Reason { get; set; }
    public required string RequestedBy { get; set; }
    public required string ApproverId { get; set; }
    public DateOnly ExpiresOn { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
}
