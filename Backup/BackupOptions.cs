namespace Backup;

/// <summary>Settings of section <c>Backups</c>.</summary>
public sealed class BackupOptions
{
    public const string SectionName = "Backups";

    /// <summary>When to back up: a Cronos expression in UTC. Daily at 03:00 by default.</summary>
    public string Schedule { get; set; } = "0 3 * * *";

    /// <summary>
    /// Back up as soon as the worker starts. Default: in Development, and whenever the newest backup is older than one
    /// schedule interval (a missed run, or none yet), so a worker that was down at 03:00 catches up.
    /// </summary>
    public bool? AtStart { get; set; }

    /// <summary>How many backups to keep; older ones are deleted after each successful backup.</summary>
    public int Keep { get; set; } = 14;

    /// <summary>The blob container, in the same storage account as the evidence (connection string <c>evidence</c>).</summary>
    public string Container { get; set; } = "backups";

    /// <summary>The PostgreSQL client programs; Debian's postgresql-client puts them on the PATH.</summary>
    public string PgDump { get; set; } = "pg_dump";

    public string PgRestore { get; set; } = "pg_restore";
}
