using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using WebApi.Data;

namespace WebApi.Scans;

public static class ScanObservations
{
    /// <summary>An observation as the API shows it: translated to SQL in a query, or compiled once for rows in memory.</summary>
    private static readonly Expression<Func<ScanObservation, ScanObservationResponse>> AsResponse =
        o => new ScanObservationResponse(o.ScanId, o.Environment, o.FindingId, o.Passed, o.Summary, o.SeenAt);

    private static readonly Func<ScanObservation, ScanObservationResponse> ToResponse = AsResponse.Compile();

    /// <summary>What the latest scans said about a review's items.</summary>
    public static async Task<ILookup<string, ScanObservationResponse>> ForReviewAsync(ReadinessDbContext db, Guid reviewId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await Ordered(db.ScanObservations.AsNoTracking().Where(o => o.ReviewId == reviewId)).ToListAsync(cancellationToken);
        return rows.ToLookup(o => o.ItemId, ToResponse, StringComparer.Ordinal);
    }

    /// <summary>
    /// One item's observations, in the same order, as a query to compose into another: a change to an item reads them in
    /// the review's own round trip. A projection, so nothing is tracked; no <c>AsNoTracking</c>, which would turn tracking
    /// off for the query it is composed into.
    /// </summary>
    public static IQueryable<ScanObservationResponse> ForItem(ReadinessDbContext db, Guid reviewId, string itemId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Ordered(db.ScanObservations.Where(o => o.ReviewId == reviewId && o.ItemId == itemId)).Select(AsResponse);
    }

    private static IQueryable<ScanObservation> Ordered(IQueryable<ScanObservation> observations) =>
        observations.OrderBy(o => o.Environment).ThenBy(o => o.Passed).ThenBy(o => o.FindingId);
}
