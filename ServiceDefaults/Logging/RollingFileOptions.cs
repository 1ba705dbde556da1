namespace ServiceDefaults.Logging;

/// <summary>
/// Bound from <c>Logging:File</c> (env <c>Logging__File__Path</c> and so on). File logging is off unless
/// <see cref="Path"/> is set.
/// </summary>
internal sealed class RollingFileOptions
{
    public const string SectionKey = "Logging:File";
    public const string PathKey = SectionKey + ":Path";

    /// <summary>Directory of the log files, relative to the content root unless absolute.</summary>
    public string? Path { get; set; }

    /// <summary>The active file is rolled over before it would grow past this.</summary>
    public long FileSizeLimitBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Files kept, the active one included; the oldest is deleted on roll-over.</summary>
    public int RetainedFileCountLimit { get; set; } = 5;
}
