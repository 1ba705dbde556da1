using WebApi.Content;
using WebApi.Http;
using WebApi.Scans;

namespace WebApi.Reviews;

/// <summary>How a review reads on a given day: waivers that have lapsed count as not done, and say so.</summary>
public static class ReviewScoring
{
    public static WaiverState? StateOf(Waiver? waiver, DateOnly today) => waiver switch
    {
        null => null,
        { ExpiresOn: var expires } when expires < today => WaiverState.Expired,
        { ApprovedAt: null } => WaiverState.Pending,
        _ => WaiverState.Active,
    };

    /// <summary>The status the score counts: a waiver that is pending or expired leaves the item not started.</summary>
    public static ItemStatus EffectiveStatus(ReviewItem item, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Status == ItemStatus.Waived && StateOf(item.Waiver, today) != WaiverState.Active ? ItemStatus.NotStarted : item.Status;
    }

    public static ItemCounts Count(IEnumerable<ReviewItem> items, DateOnly today)
    {
        var statuses = items.Select(item => EffectiveStatus(item, today)).ToList();
        return new ItemCounts(statuses.Count, statuses.Count(s => s == ItemStatus.Done), statuses.Count(s => s == ItemStatus.Waived));
    }

    public static IReadOnlyList<SectionScore> Sections(IEnumerable<ReviewItem> items, DateOnly today) =>
        [.. items.GroupBy(item => (item.SectionId, item.SectionTitle))
            .OrderBy(section => section.Min(item => item.Order))
            .Select(section =>
            {
                var counts = Count(section, today);
                return new SectionScore(section.Key.SectionId, section.Key.SectionTitle, counts.Total, counts.Done, counts.Waived, Math.Round(counts.Score, 4));
            })];

    public static ItemResponse ToResponse(ReviewItem item, DateOnly today, IContentSanitizer sanitizer, IEnumerable<ScanObservationResponse>? scanFindings = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(sanitizer);
        var waiver = item.Waiver is { } w
            ? new WaiverResponse(w.Reason, w.RequestedBy, w.ApproverId, w.ExpiresOn, w.ApprovedAt, StateOf(w, today)!.Value)
            : null;
        return new ItemResponse(
            item.ItemId, item.SectionId, item.Title, item.Status, EffectiveStatus(item, today), item.Notes,
            sanitizer.RenderMarkdown(item.Notes), item.AssigneeId, item.DueOn, waiver, item.RiskReason, [.. scanFindings ?? []], item.UpdatedAt,
            Preconditions.ETag(item.Version));
    }
}
