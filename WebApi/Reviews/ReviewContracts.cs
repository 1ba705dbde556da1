using System.ComponentModel.DataAnnotations;
using WebApi.Data;
using WebApi.Scans;
using WebApi.Services;

namespace WebApi.Reviews;

public sealed record StartReviewRequest([property: MaxLength(Limits.Code)] string? ChecklistId);

public sealed record WaiverRequest(
    [property: Required, MinLength(1), MaxLength(Limits.Description)] string Reason,
    [property: Required, MaxLength(Limits.UserId)] string ApproverId,
    [property: Required] DateOnly? ExpiresOn);

/// <summary>
/// PATCH: only the fields sent change. <c>assigneeId: ""</c> unassigns; <c>clearDueOn</c> removes the due date.
/// <c>status: "Waived"</c> needs <c>waiver</c>; any other status drops the waiver.
/// </summary>
public sealed record UpdateItemRequest(
    ItemStatus? Status,
    [property: MaxLength(Limits.Notes)] string? Notes,
    [property: MaxLength(Limits.UserId)] string? AssigneeId,
    DateOnly? DueOn,
    bool? ClearDueOn,
    WaiverRequest? Waiver);

public enum WaiverState
{
    /// <summary>Requested; counts as not done until the named owner approves it.</summary>
    Pending,
    Active,

    /// <summary>Past its date: the item counts as not done again.</summary>
    Expired,
}

public sealed record WaiverResponse(string Reason, string RequestedBy, string ApproverId, DateOnly ExpiresOn, DateTimeOffset? ApprovedAt, WaiverState State);

public sealed record ItemResponse(
    string ItemId,
    string SectionId,
    string Title,
    ItemStatus Status,
    ItemStatus EffectiveStatus,
    string Notes,
    string NotesHtml,
    string? AssigneeId,
    DateOnly? DueOn,
    WaiverResponse? Waiver,
    string? RiskReason,
    IReadOnlyList<ScanObservationResponse> ScanFindings,
    DateTimeOffset UpdatedAt,
    string Etag);

public sealed record SectionScore(string SectionId, string Title, int Total, int Done, int Waived, double Score);

public sealed record ReviewSummaryResponse(
    Guid Id, Guid ServiceId, string ChecklistId, string ChecklistVersion, ReviewState State,
    DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, double Score, string Etag);

public sealed record ReviewResponse(
    Guid Id,
    Guid ServiceId,
    string ChecklistId,
    string ChecklistVersion,
    ReviewState State,
    string StartedBy,
    DateTimeOffset StartedAt,
    string? CompletedBy,
    DateTimeOffset? CompletedAt,
    double Score,
    CriticalityTier Tier,
    ServiceReadiness Readiness,
    IReadOnlyList<SectionScore> Sections,
    IReadOnlyList<ItemResponse> Items,
    string Etag);
