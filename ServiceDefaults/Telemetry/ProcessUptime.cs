using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ServiceDefaults.Telemetry;

/// <summary>
/// <c>process_uptime_seconds</c> (OpenTelemetry's <c>process.uptime</c>): how long this process has run, so alerts can
/// leave out a replica's warm-up, when the first requests pay for JIT compilation and cold connection pools.
/// </summary>
internal static class ProcessUptime
{
    public const string MeterName = "ReadinessAspire.Process";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly long s_started = Stopwatch.GetTimestamp();

    static ProcessUptime() =>
        s_meter.CreateObservableGauge("process.uptime", () => Stopwatch.GetElapsedTime(s_started).TotalSeconds, unit: "s",
            description: "How long the process has been running.");

    /// <summary>Creates the gauge (once) and returns the meter's name to listen to.</summary>
    public static string Meter => s_meter.Name;
}
