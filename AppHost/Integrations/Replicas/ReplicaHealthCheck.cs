using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>
/// A service's readiness, asked of each replica on its own port rather than through DCP's proxy: healthy once any
/// replica answers with success, as a request through the proxy would be. The proxy accepts a request for a resource
/// none of whose replicas listens yet and holds it while it retries the connection with a growing delay, so a replica
/// that served was seen 0.55-3.3 s late; a replica's own port refuses at once, and the next poll sees it serve.
/// </summary>
internal sealed class ReplicaHealthCheck(Func<IReadOnlyList<ReplicaPort>> ports, string path) : IHealthCheck
{
    /// <summary>How long one replica may take to answer, as Aspire's own HTTP check allows.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    // Loopback only, one per AppHost: the checks run every few seconds for the life of the run.
    private static readonly HttpClient s_client = new() { Timeout = ProbeTimeout };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var replicas = ports();
        if (replicas.Count == 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "no replica has reported its port yet");
        }

        var answers = await Task.WhenAll(replicas.Select(replica => ProbeAsync(s_client, replica, path, cancellationToken)));
        var ready = answers.Count(a => a.Ready);
        var description = $"{ready} of {answers.Length} replicas ready: " + string.Join("; ", answers.Select(a => a.Description));
        return ready > 0 ? HealthCheckResult.Healthy(description) : new HealthCheckResult(context.Registration.FailureStatus, description);
    }

    /// <summary>
    /// Whether one replica answers <paramref name="path"/> on its own port with success, and what it answered. Each probe
    /// closes its connection, as an orchestrator's probes do: a replica that stops drains its open connections first
    /// (ServiceDefaults' <c>ConnectionDrain</c>), and a pooled idle one from the AppHost held every stop for the whole drain.
    /// </summary>
    internal static async Task<(bool Ready, string Description)> ProbeAsync(HttpClient client, ReplicaPort replica, string path, CancellationToken cancellationToken)
    {
        var port = replica.Port.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}{path}"));
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return (response.IsSuccessStatusCode, $"{replica.ReplicaName} on {port}: {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (false, $"{replica.ReplicaName} on {port}: {ex.Message}");
        }
    }
}
