using Scanner;

namespace WebApi.Scans;

/// <summary>
/// One scan of a deployment, from the moment it is queued. The row is the queue: workers claim it with
/// <c>FOR UPDATE SKIP LOCKED</c> and hold a lease they renew, so a scan whose worker died is claimed again once the lease lapses.
/// </summary>
public sealed class Scan
{
    /// <summary>A plain number: people say "scan #42".</summary>
    public long Id { get; init; }

    /// <summary>The service scanned; null for the deployment's scans of itself.</summary>
    public Guid? ServiceId { get; init; }

    /// <summary>The service environment scanned ("production"), or "self".</summary>
    public required string Environment { get; init; }

    /// <summary>The URL scanned, normalised; at most one queued or running scan per target.</summary>
    public required string TargetUrl { get; init; }

    public ScanProfile Profile { get; init; }
    public ScanTrigger Trigger { get; init; }
    public string? RequestedBy { get; init; }
    public ScanStatus Status { get; set; }
    public DateTimeOffset QueuedAt { get; init; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Until when the worker that claimed the scan owns it; a lapsed lease hands the scan to another worker.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Which claim owns the scan; a worker whose lease was taken over can no longer write its result.</summary>
    public Guid? ClaimToken { get; set; }

    public int Attempts { get; set; }

    /// <summary>Observatory's letter and score.</summary>
    public string? Grade { get; set; }

    public int? Score { get; set; }

    /// <summary>The grade for the environment's profile (an API is not marked down for page-only headers).</summary>
    public string? ProfileGrade { get; set; }

    public int? ProfileScore { get; set; }
    public int? ChecklistPassed { get; set; }
    public int? ChecklistTotal { get; set; }
    public int? FailedChecks { get; set; }

    /// <summary>The whole <see cref="ScanReport"/> as JSON (jsonb).</summary>
    public string? Report { get; set; }

    /// <summary>Why the scan could not grade the target.</summary>
    public string? Error { get; set; }
}

public enum ScanStatus
{
    Queued,
    Running,
    Completed,
    Failed,
}

public enum ScanTrigger
{
    /// <summary>A person asked for it.</summary>
    Manual,

    /// <summary>The schedule that rescans every registered environment.</summary>
    Schedule,

    /// <summary>The deployment scanning its own public URL.</summary>
    SelfScan,
}
