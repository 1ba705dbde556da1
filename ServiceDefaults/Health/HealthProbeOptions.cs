namespace ServiceDefaults.Health;

/// <summary>Bound from the <c>HealthChecks</c> section (env <c>HealthChecks__CacheDuration</c>, <c>HealthChecks__Timeout</c>).</summary>
internal sealed class HealthProbeOptions
{
    public const string SectionName = "HealthChecks";

    /// <summary>How long a report answers every probe, so frequent probes cost one check run per window.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A run still going after this reports Unhealthy; below the orchestrator's 5 s probe timeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
