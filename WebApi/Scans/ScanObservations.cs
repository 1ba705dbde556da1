using Microsoft.EntityFrameworkCore;
using WebApi.Data;

namespace WebApi.Scans;

public static class ScanObservations
{
    /// <summary>What the latest scans said about a review's items (one item's, when <paramref name="itemId"/> is given).</summary>
    public static async Task<ILookup<string, ScanObservationResponse>> ForReviewAsync(
        ReadinessDbContext db, Guid reviewId, CancellationToken cancellationToken, string? itemId = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var query = db.ScanObservations.AsNoTracking().Where(o => o.ReviewId == reviewId);
        if (itemId is not null)
        {
            query = query.Where(o => o.ItemId == itemId);
        }

        var rows = await query.OrderBy(o => o.Environment).ThenBy(o => o.Passed).ThenBy(o => o.FindingId).ToListAsync(cancellationToken);
        return rows.ToLookup(o => o.ItemId, o => new ScanObservationResponse(o.ScanId, o.Environment, o.FindingId, o.Passed, o.Summary, o.SeenAt), StringComparer.Ordinal);
    }
}
