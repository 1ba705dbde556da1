using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Caching;
using WebApi.Content;
using WebApi.Data;
using WebApi.Http;
using WebApi.Scans;
using WebApi.Services;
using WebApi.Teams;

namespace WebApi.Reviews;

/// <summary>
/// Reviews of a service against a checklist. Maintainers mark items; a waiver needs an owner's approval; a completed
/// review is frozen and a new one can start.
/// </summary>
public static class ReviewEndpoints
{
    public static IEndpointRouteBuilder MapReviewEndpoints(this IEndpointRouteBuilder routes)
    {
        var ofService = routes.MapGroup("/api/services/{serviceId:guid}/reviews").WithTags("Reviews");
        ofService.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.Read);
        ofService.MapPost("/", StartAsync).RequireAuthorization(AccessPolicies.Write).WithIdempotencyKey();

        var reviews = routes.MapGroup("/api/reviews/{reviewId:guid}").WithTags("Reviews");
        reviews.MapGet("/", GetAsync).RequireAuthorization(AccessPolicies.Read);
        // 409: the review is completed (frozen), or the waiver is not pending.
        reviews.MapPost("/complete", CompleteAsync).RequireAuthorization(AccessPolicies.Write).RequiresIfMatch().ProducesProblem(StatusCodes.Status409Conflict);
        reviews.MapPatch("/items/{itemId}", UpdateItemAsync).RequireAuthorization(AccessPolicies.Write).ProducesProblem(StatusCodes.Status409Conflict);
        // If-Match: the owner approves the terms they read, not ones the requester changed since.
        reviews.MapPost("/items/{itemId}/waiver/approve", ApproveWaiverAsync).RequireAuthorization(AccessPolicies.Write).RequiresIfMatch().ProducesProblem(StatusCodes.Status409Conflict);
        reviews.MapGet("/history", HistoryAsync).RequireAuthorization(AccessPolicies.Read);
        return routes;
    }

    /// <summary>The service's reviews, the open one (if any) first, then newest first.</summary>
    private static async Task<Results<Ok<Page<ReviewSummaryResponse>>, ProblemHttpResult>> ListAsync(
        Guid serviceId, [AsParameters] PageQuery page, HttpContext http, ReadinessDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (_, problem) = await ServiceEndpoints.FindForAsync(db, serviceId, http.User.UserId(), TeamRole.Viewer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var ofService = db.Reviews.Where(r => r.ServiceId == serviceId);
        var total = await ofService.CountAsync(cancellationToken);
        var reviews = await ofService
            .CurrentFirst()
            .Skip(page.Skip).Take(page.Size)
            .WithCounts(Today(time))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<ReviewSummaryResponse>([.. reviews.Select(r => new ReviewSummaryResponse(
            r.Id, r.ServiceId, r.ChecklistId, r.ChecklistVersion, r.State, r.StartedAt, r.CompletedAt,
            Math.Round(r.Counts.Score, 4), Preconditions.ETag(r.Version)))], page.Number, page.Size, total));
    }

    private static async Task<Results<Created<ReviewResponse>, ProblemHttpResult, ValidationProblem>> StartAsync(
        Guid serviceId, StartReviewRequest? request, HttpContext http, ReadinessDbContext db, CacheGeneration generation,
        ReadinessPolicy policy, IContentSanitizer sanitizer, TimeProvider time, CancellationToken cancellationToken)
    {
        var (service, problem) = await ServiceEndpoints.FindForAsync(db, serviceId, http.User.UserId(), TeamRole.Maintainer, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var checklistId = request?.ChecklistId ?? ChecklistSeed.ChecklistId;
        var checklist = await db.Checklists.WithSectionsAndItems().SingleOrDefaultAsync(c => c.Id == checklistId, cancellationToken);
        if (checklist is null)
        {
            return ProblemDetailsResponse.Invalid("checklistId", "No checklist has this id; GET /api/checklists lists them.");
        }

        if (await db.Reviews.AnyAsync(r => r.ServiceId == serviceId && r.State == ReviewState.Open, cancellationToken))
        {
            return ProblemDetailsResponse.Conflict("The service already has an open review; complete it before starting another.");
        }

        var review = Review.Start(checklist, serviceId, http.User.UserId(), time.GetUtcNow());
        db.Reviews.Add(review);
        db.Record(http.User, "review.started", "review", review.Id.ToString(), null,
            new { review.ChecklistId, review.ChecklistVersion }, teamId: service!.TeamId, serviceId: serviceId, reviewId: review.Id);
        var gone = await db.SaveInTransactionAsync(async token =>
        {
            // The service's row, shared as the foreign key's check shares it, but first: a delete of the service waits for
            // this start (and then deletes the review with it), or this finds the service deleted meanwhile instead of the
            // insert failing on the foreign key.
            return await db.Database.LockRowAsync($"""SELECT 1 AS "Value" FROM "Services" WHERE "Id" = {serviceId} FOR KEY SHARE""", token)
                ? null
                : ProblemDetailsResponse.NotFound("service");
        }, cancellationToken);
        if (gone is not null)
        {
            return gone;
        }

        await generation.BumpAsync();

        http.Response.SetETag(review.Version);
        return TypedResults.Created($"/api/reviews/{review.Id}", ToResponse(review, service, policy, sanitizer, Today(time)));
    }

    private static async Task<Results<Ok<ReviewResponse>, ProblemHttpResult>> GetAsync(
        Guid reviewId, HttpContext http, ReadinessDbContext db, ReadinessPolicy policy, IContentSanitizer sanitizer, TimeProvider time, CancellationToken cancellationToken)
    {
        var found = await FindForAsync(db, reviewId, http.User.UserId(), TeamRole.Viewer, cancellationToken, tracking: false);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var observations = await ScanObservations.ForReviewAsync(db, reviewId, cancellationToken);
        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.SetETag(found.Review!.Version);
        return TypedResults.Ok(ToResponse(found.Review, found.Service!, policy, sanitizer, Today(time), observations));
    }

    private static async Task<Results<Ok<ReviewResponse>, ProblemHttpResult>> CompleteAsync(
        Guid reviewId, HttpContext http, ReadinessDbContext db, CacheGeneration generation, ReadinessPolicy policy,
        IContentSanitizer sanitizer, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var found = await FindForAsync(db, reviewId, userId, TeamRole.Maintainer, cancellationToken, withItems: false);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var review = found.Review!;
        if (http.Request.CheckIfMatch(review.Version, out var expected) is { } failed)
        {
            return failed;
        }

        if (review.State == ReviewState.Completed)
        {
            return ProblemDetailsResponse.Conflict("The review is already completed.");
        }

        var today = Today(time);
        db.ExpectVersion(review, expected);
        review.State = ReviewState.Completed;
        review.CompletedAt = time.GetUtcNow();
        review.CompletedBy = userId;
        AuditEvent? completed = null;
        List<ReviewItem> frozen = [];
        await db.SaveInTransactionAsync<ProblemHttpResult>(async token =>
        {
            // Item changes under way hold the review's row FOR KEY SHARE (FrozenReviews): this lock waits for them and
            // holds later ones off, so the items read next are the ones frozen, and the score recorded is theirs.
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Reviews" WHERE "Id" = {reviewId} FOR UPDATE""", token);
            frozen = await db.ReviewItems.AsNoTracking().Where(i => i.ReviewId == reviewId).ToListAsync(token);
            var score = ReviewScoring.Count(frozen, today).Score;
            if (completed is not null)
            {
                // A retry after a transient failure: the event of the attempt rolled back is not saved twice.
                db.AuditEvents.Remove(completed);
            }

            completed = AuditLog.Describe(http.User, "review.completed", "review", review.Id.ToString(), new { State = nameof(ReviewState.Open) },
                new { State = nameof(ReviewState.Completed), Score = Math.Round(score, 4) }, teamId: found.Service!.TeamId, serviceId: review.ServiceId, reviewId: review.Id);
            db.AuditEvents.Add(completed);
            return null;
        }, cancellationToken);
        await generation.BumpAsync();

        http.Response.SetETag(review.Version);
        return TypedResults.Ok(ToResponse(review, frozen, found.Service!, policy, sanitizer, today));
    }

    private static async Task<Results<Ok<ItemResponse>, ProblemHttpResult, ValidationProblem>> UpdateItemAsync(
        Guid reviewId, string itemId, UpdateItemRequest request, HttpContext http, ReadinessDbContext db, CacheGeneration generation,
        IContentSanitizer sanitizer, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var found = await FindItemForChangeAsync(db, reviewId, itemId, userId, TeamRole.Maintainer, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var item = found.Review!.Items.SingleOrDefault(i => i.ItemId == itemId);
        if (item is null)
        {
            return ProblemDetailsResponse.NotFound("review item");
        }

        if (http.Request.CheckIfMatch(item.Version, out var expected) is { } failed)
        {
            return failed;
        }

        if (found.Review.State == ReviewState.Completed)
        {
            return ProblemDetailsResponse.Conflict(FrozenReviews.Detail);
        }

        var teamId = found.Service!.TeamId;
        var today = Today(time);
        var invalid = await ValidateAsync(request, db, sanitizer, teamId, userId, today, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var before = Snapshot(item);
        Apply(item, request, userId, selfApproved: request.Waiver?.ApproverId == userId, time.GetUtcNow());
        var audit = AuditLog.Describe(http.User, "item.updated", "item", $"{reviewId}/{itemId}", before, Snapshot(item), teamId: teamId, serviceId: found.Review.ServiceId, reviewId: reviewId);
        if (await SaveItemAsync(db, item, expected, audit, cancellationToken) is not { } version)
        {
            return Preconditions.StalePrecondition();
        }

        item.Version = version;
        await generation.BumpAsync();

        http.Response.SetETag(item.Version);
        return TypedResults.Ok(ReviewScoring.ToResponse(item, today, sanitizer, found.Observations));
    }

    private static async Task<Results<Ok<ItemResponse>, ProblemHttpResult>> ApproveWaiverAsync(
        Guid reviewId, string itemId, HttpContext http, ReadinessDbContext db, CacheGeneration generation,
        IContentSanitizer sanitizer, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var found = await FindItemForChangeAsync(db, reviewId, itemId, userId, TeamRole.Owner, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var item = found.Review!.Items.SingleOrDefault(i => i.ItemId == itemId);
        if (item?.Waiver is not { } waiver || item.Status != ItemStatus.Waived)
        {
            return ProblemDetailsResponse.NotFound("waiver");
        }

        if (waiver.ApproverId != userId)
        {
            return ProblemDetailsResponse.Forbidden("Only the owner named as the waiver's approver may approve it.");
        }

        if (http.Request.CheckIfMatch(item.Version, out var expected) is { } failed)
        {
            return failed;
        }

        if (found.Review.State == ReviewState.Completed)
        {
            return ProblemDetailsResponse.Conflict("The review is completed and frozen.");
        }

        var today = Today(time);
        if (ReviewScoring.StateOf(waiver, today) != WaiverState.Pending)
        {
            return ProblemDetailsResponse.Conflict("Only a pending waiver can be approved; an expired one must be requested again.");
        }

        var before = Snapshot(item);
        waiver.ApprovedAt = time.GetUtcNow();
        db.ExpectVersion(item, expected);
        db.Record(http.User, "waiver.approved", "item", $"{reviewId}/{itemId}", before, Snapshot(item), teamId: found.Service!.TeamId, serviceId: found.Review.ServiceId, reviewId: reviewId);
        await db.SaveChangesAsync(cancellationToken);
        await generation.BumpAsync();

        http.Response.SetETag(item.Version);
        return TypedResults.Ok(ReviewScoring.ToResponse(item, today, sanitizer, found.Observations));
    }

    private static async Task<Results<Ok<Page<AuditEntryResponse>>, ProblemHttpResult>> HistoryAsync(
        Guid reviewId, [AsParameters] PageQuery page, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var found = await FindForAsync(db, reviewId, http.User.UserId(), TeamRole.Viewer, cancellationToken, tracking: false, withItems: false);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        return TypedResults.Ok(await db.PageAsync(e => e.ReviewId == reviewId, page, cancellationToken));
    }

    /// <summary>
    /// The review and its service, when the user's role in the service's team is at least <paramref name="needed"/>;
    /// with its items unless <paramref name="withItems"/> is false (an access check needs none).
    /// </summary>
    internal static async Task<(Review? Review, RegisteredService? Service, ProblemHttpResult? Problem)> FindForAsync(
        ReadinessDbContext db, Guid reviewId, string userId, TeamRole needed, CancellationToken cancellationToken,
        bool tracking = true, bool withItems = true)
    {
        var reviews = tracking ? db.Reviews : db.Reviews.AsNoTracking();
        if (withItems)
        {
            reviews = reviews.Include(r => r.Items);
        }

        var found = await WithAccess(db, reviews, reviewId, userId).SingleOrDefaultAsync(cancellationToken);
        return Denied(found?.Role, needed) is { } problem ? (null, null, problem) : (found!.Review, found.Service, null);
    }

    /// <summary>
    /// <see cref="FindForAsync"/> for a change to one item: the review with that item only (a change reads one row,
    /// not the whole checklist's), tracked, and what the latest scans said of the item, which the answer carries, in
    /// the same round trip.
    /// </summary>
    private static async Task<(Review? Review, RegisteredService? Service, IReadOnlyList<ScanObservationResponse> Observations, ProblemHttpResult? Problem)> FindItemForChangeAsync(
        ReadinessDbContext db, Guid reviewId, string itemId, string userId, TeamRole needed, CancellationToken cancellationToken)
    {
        var observations = ScanObservations.ForItem(db, reviewId, itemId);
        var found = await WithAccess(db, db.Reviews.Include(r => r.Items.Where(i => i.ItemId == itemId)), reviewId, userId)
            .Select(a => new { a.Review, a.Service, a.Role, Observations = observations.ToList() })
            .AsSingleQuery()
            .SingleOrDefaultAsync(cancellationToken);
        return Denied(found?.Role, needed) is { } problem
            ? (null, null, [], problem)
            : (found!.Review, found.Service, found.Observations, null);
    }

    /// <summary>The review joined to its service and the user's membership of the service's team.</summary>
    private static IQueryable<ReviewAccess> WithAccess(ReadinessDbContext db, IQueryable<Review> reviews, Guid reviewId, string userId) =>
        reviews
            .Where(r => r.Id == reviewId)
            .Join(db.Services, r => r.ServiceId, s => s.Id, (r, s) => new { Review = r, Service = s })
            .Join(db.TeamMembers.Where(m => m.UserId == userId), x => x.Service.TeamId, m => m.TeamId,
                (x, m) => new ReviewAccess { Review = x.Review, Service = x.Service, Role = m.Role });

    /// <summary>404 when the user has no role in the review's team (or there is no such review), 403 when too low.</summary>
    private static ProblemHttpResult? Denied(TeamRole? role, TeamRole needed) => role switch
    {
        null => ProblemDetailsResponse.NotFound("review"),
        { } held when !held.Allows(needed) => ProblemDetailsResponse.Forbidden(TeamAccess.Describe(needed)),
        _ => null,
    };

    private sealed class ReviewAccess
    {
        public required Review Review { get; init; }

        public required RegisteredService Service { get; init; }

        public required TeamRole Role { get; init; }
    }

    private static async Task<ValidationProblem?> ValidateAsync(
        UpdateItemRequest request, ReadinessDbContext db, IContentSanitizer sanitizer, Guid teamId, string userId, DateOnly today, CancellationToken cancellationToken)
    {
        if (request.Notes is { } notes && !sanitizer.TryRenderMarkdown(notes, out _))
        {
            return ProblemDetailsResponse.Invalid("notes", MarkdownProblems.TooDeeplyNested);
        }

        if (request.Status == ItemStatus.Waived)
        {
            if (request.Waiver is not { } waiver)
            {
                return ProblemDetailsResponse.Invalid("waiver", "A waived item needs a waiver: reason, approverId and expiresOn.");
            }

            if (waiver.ExpiresOn <= today)
            {
                return ProblemDetailsResponse.Invalid("waiver.expiresOn", "The waiver must expire after today.");
            }

            var owners = await db.TeamMembers.Where(m => m.TeamId == teamId && m.Role == TeamRole.Owner).Select(m => m.UserId).ToListAsync(cancellationToken);
            if (!owners.Contains(waiver.ApproverId))
            {
                return ProblemDetailsResponse.Invalid("waiver.approverId", "The approver must be one of the team's owners.");
            }

            // Someone else must approve whenever the team has someone else who can.
            if (waiver.ApproverId == userId && owners.Any(owner => owner != userId))
            {
                return ProblemDetailsResponse.Invalid("waiver.approverId", "Name another owner of the team as approver: a waiver is not approved by the person who asks for it.");
            }
        }
        else if (request.Waiver is not null)
        {
            return ProblemDetailsResponse.Invalid("waiver", "A waiver goes with status Waived.");
        }

        if (!string.IsNullOrEmpty(request.AssigneeId)
            && !await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == request.AssigneeId, cancellationToken))
        {
            return ProblemDetailsResponse.Invalid("assigneeId", "The assignee must be a member of the service's team.");
        }

        return null;
    }

    /// <summary>
    /// Writes the item, if its row is still at <paramref name="expected"/>, and its audit event in one statement, so one
    /// round trip and an implicit transaction that commits on the server: the insert trigger holds the team's audit
    /// chain lock (writers of a team take turns) only for the insert and the commit. With SaveChanges, the chain
    /// was held while the results went back to the service and its COMMIT came back (bench scenario k: 146 PATCH/s on
    /// 8 connections of one team).
    /// </summary>
    /// <returns>The item's new version, or null when the row had changed (no write, no event).</returns>
    private static async Task<uint?> SaveItemAsync(ReadinessDbContext db, ReviewItem item, uint expected, AuditEvent audit, CancellationToken cancellationToken)
    {
        // Typed by casts: a null parameter has no type, and the audit columns are read from a SELECT, not assigned.
        // xmin is an xid, which EF reads as a uint mapped to bigint: it leaves as text through bigint.
        var versions = await db.Database.SqlQuery<long>($"""
            WITH updated AS (
                UPDATE "ReviewItems" SET
                    "Status" = {item.Status.ToString()}::varchar, "RiskReason" = {item.RiskReason}::text, "Notes" = {item.Notes}::varchar,
                    "AssigneeId" = {item.AssigneeId}::varchar, "DueOn" = {item.DueOn}::date, "UpdatedAt" = {item.UpdatedAt}::timestamptz,
                    "Waiver_Reason" = {item.Waiver?.Reason}::varchar, "Waiver_RequestedBy" = {item.Waiver?.RequestedBy}::varchar,
                    "Waiver_ApproverId" = {item.Waiver?.ApproverId}::varchar, "Waiver_ExpiresOn" = {item.Waiver?.ExpiresOn}::date,
                    "Waiver_ApprovedAt" = {item.Waiver?.ApprovedAt}::timestamptz
                WHERE "ReviewId" = {item.ReviewId} AND "ItemId" = {item.ItemId} AND xmin = {expected.ToString(CultureInfo.InvariantCulture)}::xid
                RETURNING xmin
            ), recorded AS (
                INSERT INTO "AuditEvents" ("At", "ActorId", "Action", "EntityType", "EntityId", "TeamId", "ServiceId", "ReviewId", "Before", "After", "TraceId")
                SELECT {audit.At}::timestamptz, {audit.ActorId}::varchar, {audit.Action}::varchar, {audit.EntityType}::varchar, {audit.EntityId}::varchar,
                    {audit.TeamId}::uuid, {audit.ServiceId}::uuid, {audit.ReviewId}::uuid, {audit.Before}::jsonb, {audit.After}::jsonb, {audit.TraceId}::varchar
                FROM updated
            )
            SELECT xmin::text::bigint AS "Value" FROM updated
            """).ToListAsync(cancellationToken);
        return versions.Count == 1 ? (uint)versions[0] : null;
    }

    private static void Apply(ReviewItem item, UpdateItemRequest request, string userId, bool selfApproved, DateTimeOffset now)
    {
        if (request.Status is { } status)
        {
            item.Status = status;
            // A person has looked at the item again: the scan's warning has been read.
            item.RiskReason = null;
            item.Waiver = request.Waiver is { } waiver && status == ItemStatus.Waived
                ? new Waiver
                {
                    Reason = waiver.Reason.Trim(),
                    RequestedBy = userId,
                    ApproverId = waiver.ApproverId,
                    ExpiresOn = waiver.ExpiresOn!.Value,
                    // Validation allowed naming oneself only as the team's only owner: there is no one else to approve it.
                    ApprovedAt = selfApproved ? now : null,
                }
                : null;
        }

        if (request.Notes is not null)
        {
            item.Notes = request.Notes;
        }

        if (request.AssigneeId is not null)
        {
            item.AssigneeId = request.AssigneeId.Length == 0 ? null : request.AssigneeId;
        }

        if (request.ClearDueOn == true)
        {
            item.DueOn = null;
        }
        else if (request.DueOn is { } dueOn)
        {
            item.DueOn = dueOn;
        }

        item.UpdatedAt = now;
    }

    private static object Snapshot(ReviewItem item) => new
    {
        Status = item.Status.ToString(),
        item.Notes,
        item.AssigneeId,
        item.DueOn,
        Waiver = item.Waiver is { } w ? new { w.Reason, w.RequestedBy, w.ApproverId, w.ExpiresOn, w.ApprovedAt } : null,
    };

    private static ReviewResponse ToResponse(
        Review review, RegisteredService service, ReadinessPolicy policy, IContentSanitizer sanitizer, DateOnly today, ILookup<string, ScanObservationResponse>? observations = null) =>
        ToResponse(review, review.Items, service, policy, sanitizer, today, observations);

    /// <summary>The review with <paramref name="reviewItems"/> for its items: those read apart from it, as a completion reads them.</summary>
    private static ReviewResponse ToResponse(
        Review review, IEnumerable<ReviewItem> reviewItems, RegisteredService service, ReadinessPolicy policy, IContentSanitizer sanitizer, DateOnly today,
        ILookup<string, ScanObservationResponse>? observations = null)
    {
        var items = reviewItems.OrderBy(i => i.Order).ToList();
        var counts = ReviewScoring.Count(items, today);
        return new ReviewResponse(
            review.Id, review.ServiceId, review.ChecklistId, review.ChecklistVersion, review.State, review.StartedBy, review.StartedAt,
            review.CompletedBy, review.CompletedAt, Math.Round(counts.Score, 4), service.Tier, policy.Evaluate(service.Tier, review.Id, counts),
            ReviewScoring.Sections(items, today), [.. items.Select(i => ReviewScoring.ToResponse(i, today, sanitizer, observations?[i.ItemId]))], Preconditions.ETag(review.Version));
    }

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
