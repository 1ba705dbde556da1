using System.ComponentModel.DataAnnotations;
using Scanner;
using Scanner.Grading;
using WebApi.Http;

namespace WebApi.Scans;

/// <summary>Scan one of the service's environments (by name) or any URL; the profile defaults to the environment's.</summary>
public sealed record QueueScanRequest(
    [property: Slug] string? Environment,
    [property: HttpUrl] string? Url,
    ScanProfile? Profile);

/// <summary>Query of the scan lists.</summary>
public sealed class ScanListQuery
{
    [Slug]
    public string? Environment { get; init; }

    public ScanStatus? Status { get; init; }

    [Range(1, 100_000)]
    public int? Page { get; init; }

    [Range(1, PageQuery.MaxSize)]
    public int? PageSize { get; init; }

    public PageQuery Paging => new() { Page = Page, PageSize = PageSize };
}

public sealed class ScanHistoryQuery
{
    [Slug]
    public string? Environment { get; init; }

    /// <summary>The latest this many points (default 100, at most 1000), oldest first.</summary>
    [Range(1, 1000)]
    public int? Limit { get; init; }
}

public sealed record ScanSummaryResponse(
    long Id,
    Guid? ServiceId,
    string Environment,
    string TargetUrl,
    ScanProfile Profile,
    ScanTrigger Trigger,
    ScanStatus Status,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempts,
    string? Grade,
    int? Score,
    string? ProfileGrade,
    int? ProfileScore,
    int? ChecklistPassed,
    int? ChecklistTotal,
    int? FailedChecks,
    string? Error);

/// <summary>A scan with its full report and what changed since the previous completed scan of the same environment.</summary>
public sealed record ScanResponse(ScanSummaryResponse Scan, ScanReport? Report, ScanChanges? Changes);

/// <summary>
/// How a scan differs from the previous completed scan of the same target: the profile grades (Observatory's for a
/// web page), the findings that fail now and did not, and those fixed.
/// </summary>
public sealed record ScanChanges(
    long PreviousScanId,
    string PreviousGrade,
    string Grade,
    int ScoreDelta,
    GradeChange Direction,
    IReadOnlyList<string> NewFailures,
    IReadOnlyList<string> Fixed);

/// <summary>Query of <c>GET /api/scans/latest</c>: the services whose grades a list shows.</summary>
public sealed class LatestScansQuery
{
    /// <summary>Service ids, 1 to 100 (<c>?serviceId=a&amp;serviceId=b</c>); ids of services the caller cannot see are left out.</summary>
    [Required, MinLength(1), MaxLength(PageQuery.MaxSize)]
    public Guid[]? ServiceId { get; init; }
}

/// <summary>The latest completed scan of one environment of a service: the grade a list shows as a badge.</summary>
public sealed record LatestScanResponse(
    Guid ServiceId, string Environment, long ScanId, string Grade, int Score, string ProfileGrade, int ProfileScore, DateTimeOffset FinishedAt);

/// <summary>One point of an environment's score over time.</summary>
public sealed record ScanHistoryPoint(
    long ScanId, string Environment, DateTimeOffset FinishedAt, int Score, string Grade, int ProfileScore, string ProfileGrade, int ChecklistPassed, int ChecklistTotal);

/// <summary>A scan's finding shown on a review item.</summary>
public sealed record ScanObservationResponse(long ScanId, string Environment, string FindingId, bool Passed, string Summary, DateTimeOffset SeenAt);
