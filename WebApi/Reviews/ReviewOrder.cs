namespace WebApi.Reviews;

public static class ReviewOrder
{
    /// <summary>
    /// A service's reviews, its current one first: the open review (there is at most one, IX_Reviews_OneOpenPerService),
    /// then the newest started. Start times come from each replica's clock, so the open review leads by its state, not
    /// its time; the id breaks ties, so the list, the service's readiness and the gate all pick the same review.
    /// </summary>
    public static IOrderedQueryable<Review> CurrentFirst(this IQueryable<Review> reviews) =>
        reviews.OrderByDescending(r => r.State == ReviewState.Open).ThenByDescending(r => r.StartedAt).ThenByDescending(r => r.Id);
}
