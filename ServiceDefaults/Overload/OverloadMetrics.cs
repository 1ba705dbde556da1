using System.Diagnostics.Metrics;

namespace ServiceDefaults.Overload;

/// <summary>
/// Requests answered 503 because the process was at its concurrency limit, by reason (<c>queue_full</c>,
/// <c>queue_timeout</c>): <c>readiness_requests_shed_total</c> in Prometheus, which labels it with the service's job
/// and replica; Monitoring/alert-rules.yml alerts on its rate.
/// </summary>
internal sealed class OverloadMetrics : IDisposable
{
    public const string MeterName = "ReadinessAspire.Overload";
    public const string QueueFull = "queue_full";
    public const string QueueTimeout = "queue_timeout";

    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> shed;

    public OverloadMetrics()
    {
        shed = meter.CreateCounter<long>("readiness.requests.shed", description: "Requests answered 503 at once because the process was at its concurrency limit.");
    }

    public void Shed(string reason) => shed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => meter.Dispose();
}
