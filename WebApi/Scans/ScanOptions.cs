namespace WebApi.Scans;

/// <summary>How the deployment runs scans (section "Scans"); what the scanner may reach is <see cref="Scanner.ScannerOptions"/>.</summary>
public sealed class ScanOptions
{
    public const string Section = "Scans";

    /// <summary>
    /// Scans one replica runs at once. Scans wait on the network, so two per replica cost little CPU; 0 makes a replica
    /// that serves the API and takes no scans.
    /// </summary>
    public int WorkerConcurrency { get; set; } = 2;

    /// <summary>How long a claim holds before another worker may take the scan over; renewed at a third of it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long after a replica starts before its workers first look for queued scans and its scheduler first queues:
    /// the replica's start, and the deployment's, come first (on 2 cores both are bound by CPU), and the deployment's
    /// scan of itself cannot pass before its public URL answers. A scan queued on this replica meanwhile still wakes a
    /// worker at once.
    /// </summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle worker looks for queued scans (a scan queued on this replica wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A scan whose worker was lost this many times fails rather than taking down worker after worker.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// How long a finished scan is kept. Older ones go, except each environment's latest completed scan (and its latest
    /// failure after that) and the scans a review's observations cite.
    /// </summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>Scans one user may queue per minute.</summary>
    public int PerUserPerMinute { get; set; } = 10;

    /// <summary>Cron (UTC) on which every registered environment is rescanned.</summary>
    public string RescanSchedule { get; set; } = "0 */6 * * *";

    /// <summary>Cron (UTC) on which the deployment scans its own public URL; it also does so once after start.</summary>
    public string SelfScanSchedule { get; set; } = "*/30 * * * *";

    /// <summary>
    /// How long after start a self-scan is queued each minute until one completes. A proxy that comes up after the
    /// services is well within it; a public URL that never answers (a wrong <c>PublicOrigin</c>) would otherwise add a
    /// failed scan a minute for as long as the replica runs. After it, the schedule alone scans.
    /// </summary>
    public TimeSpan SelfScanRetryWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The public URL the deployment scans itself at; defaults to <c>PublicOrigin</c>. Empty turns self-scans off.</summary>
    public string? SelfUrl { get; set; }

    /// <summary>The self-scan's profile: the public URL serves the web UI.</summary>
    public Scanner.ScanProfile SelfProfile { get; set; } = Scanner.ScanProfile.Web;
}
