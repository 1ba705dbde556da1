using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ReadinessAspire.Bench;

/// <summary>What one load of <see cref="Connections"/> clients got: successes, shed answers by who shed them, failures.</summary>
internal sealed record LoadResult(int Connections, TimeSpan Duration, long Succeeded, double SuccessesPerSecond, double P50SuccessMilliseconds, double P99SuccessMilliseconds,
    long ShedByProxy, long ShedByReplicas, long RateLimited, long Failed, string? FirstFailure)
{
    /// <summary>Answered 429 or 503 with problem details at once: the stack refusing work it cannot do in time.</summary>
    public long Shed => ShedByProxy + ShedByReplicas + RateLimited;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Connections} connections for {Duration.TotalSeconds:0} s: {SuccessesPerSecond:0} successful req/s, p50 {P50SuccessMilliseconds:0.0} ms, p99 {P99SuccessMilliseconds:0.0} ms of successes; shed {Shed} (proxy caps {ShedByProxy}, replicas {ShedByReplicas}, rate limit {RateLimited}); {Failed} failed{(FirstFailure is null ? "" : $" (first: {FirstFailure})")}");
}

/// <summary>Scenario m: a flood, what it got, whether health probes were answered meanwhile, and how fast the stack recovered.</summary>
internal sealed record OverloadResult(LoadResult Baseline, LoadResult Flood, int ProbesAnswered, int Probes, double? RecoverySeconds)
{
    public long Errors => Baseline.Failed + Flood.Failed + (Probes - ProbesAnswered) + (RecoverySeconds is null ? 1 : 0);
}

/// <summary>
/// Many clients at once, each sending its next GET as soon as it has an answer (HTTP/1.1, a connection each, a 10 s
/// timeout, as impatient clients would), every answer classified and timed, so that latency is that of the successes
/// only (wrk cannot split its latencies by status). Then how long until the stack serves again: from the moment the
/// clients stop sending until a fresh client's GET succeeds ten times in a row.
/// </summary>
internal static class OverloadFlood
{
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);
    private const int SuccessesInARow = 10;
    private static readonly TimeSpan s_recoveryLimit = TimeSpan.FromSeconds(60);

    public static async Task<OverloadResult> MeasureAsync(BenchStack stack, string url, IReadOnlyList<string> headers, int baselineConnections, int floodConnections, TimeSpan warmUp, TimeSpan baselineDuration, TimeSpan floodDuration, CancellationToken cancellationToken)
    {
        var ca = Path.Combine(stack.CertificateDirectory, "ca.crt");
        // Tiered JIT and connection pools first, on the load the baseline measures.
        await LoadAsync(ca, url, headers, baselineConnections, warmUp, cancellationToken);
        Console.WriteLine($"  baseline: {baselineConnections} connections for {baselineDuration.TotalSeconds:0} s");
        var baseline = await LoadAsync(ca, url, headers, baselineConnections, baselineDuration, cancellationToken);
        Console.WriteLine($"  {baseline}");

        // Each replica's readiness on its own port, twice a second, for as long as the flood lasts.
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probes = stack.OwnPorts("webapi").Select(port => ProbeAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/health/ready"), probing.Token)).ToList();
        Console.WriteLine($"  flood: {floodConnections} connections for {floodDuration.TotalSeconds:0} s");
        var flood = await LoadAsync(ca, url, headers, floodConnections, floodDuration, measureRecovery: true, cancellationToken);
        await probing.CancelAsync();
        var probed = await Task.WhenAll(probes);
        Console.WriteLine($"  {flood.Load}");
        var result = new OverloadResult(baseline, flood.Load, probed.Sum(p => p.Answered), probed.Sum(p => p.Sent), flood.RecoverySeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  readiness probes on the replicas' own ports during the flood: {result.ProbesAnswered} of {result.Probes} answered 200; recovered {(result.RecoverySeconds is { } s ? $"in {s:0.00} s" : $"not within {s_recoveryLimit.TotalSeconds:0} s")}"));
        return result;
    }

    private static async Task<LoadResult> LoadAsync(string ca, string url, IReadOnlyList<string> headers, int connections, TimeSpan duration, CancellationToken cancellationToken) =>
        (await LoadAsync(ca, url, headers, connections, duration, measureRecovery: false, cancellationToken)).Load;

    private static async Task<(LoadResult Load, double? RecoverySeconds)> LoadAsync(string ca, string url, IReadOnlyList<string> headers, int connections, TimeSpan duration, bool measureRecovery, CancellationToken cancellationToken)
    {
        using var client = CreateClient(ca);
        var uri = new Uri(url);
        var clients = new Task<ClientTally>[connections];
        var started = Stopwatch.GetTimestamp();
        var stopSending = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < connections; i++)
        {
            clients[i] = Task.Run(() => RunClientAsync(client, uri, headers, stopSending, cancellationToken), cancellationToken);
        }

        // The clients stop sending at the deadline; what they still wait for is answered (or times out) meanwhile.
        await Task.Delay(duration, cancellationToken);
        var recovery = measureRecovery ? RecoverAsync(ca, uri, headers, cancellationToken) : Task.FromResult<double?>(null);
        var tallies = await Task.WhenAll(clients);
        var recovered = await recovery;

        var latencies = tallies.SelectMany(t => t.SuccessMilliseconds).Order().ToList();
        var withinWindow = tallies.Sum(t => t.SucceededInWindow);
        return (new LoadResult(
            connections,
            duration,
            latencies.Count,
            withinWindow / duration.TotalSeconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            tallies.Sum(t => t.ShedByProxy),
            tallies.Sum(t => t.ShedByReplicas),
            tallies.Sum(t => t.RateLimited),
            tallies.Sum(t => t.Failed),
            tallies.Select(t => t.FirstFailure).FirstOrDefault(f => f is not null)), recovered);
    }

    private static async Task<ClientTally> RunClientAsync(HttpClient client, Uri uri, IReadOnlyList<string> headers, long stopSending, CancellationToken cancellationToken)
    {
        var tally = new ClientTally();
        while (Stopwatch.GetTimestamp() < stopSending && !cancellationToken.IsCancellationRequested)
        {
            using var request = Request(uri, headers);
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var received = Stopwatch.GetTimestamp();
                tally.Add(response, body, Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds, received <= stopSending);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                tally.Fail($"no answer within {ClientTimeout.TotalSeconds:0} s");
            }
            catch (HttpRequestException ex)
            {
                tally.Fail($"{ex.HttpRequestError}: {ex.Message}");
            }
        }

        return tally;
    }

    /// <summary>Seconds from now until a fresh client's GET has succeeded <see cref="SuccessesInARow"/> times in a row; null if not within a minute.</summary>
    private static async Task<double?> RecoverAsync(string ca, Uri uri, IReadOnlyList<string> headers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var client = CreateClient(ca);
        var inARow = 0;
        while (Stopwatch.GetElapsedTime(started) < s_recoveryLimit)
        {
            using var request = Request(uri, headers);
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                await response.Content.ReadAsStringAsync(cancellationToken);
                inARow = response.IsSuccessStatusCode ? inARow + 1 : 0;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                inARow = 0;
            }

            if (inARow == SuccessesInARow)
            {
                return Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
        }

        return null;
    }

    private static async Task<(int Sent, int Answered)> ProbeAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = ClientTimeout };
        var (sent, answered) = (0, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            sent++;
            try
            {
                using var response = await client.GetAsync(uri, cancellationToken);
                answered += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                sent--; // Cut short by the end of the flood, not unanswered.
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            try
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (sent, answered);
    }

    /// <summary>HTTP/1.1, so each client is a connection of its own, as separate users' would be; the proxy's CA only.</summary>
    private static HttpClient CreateClient(string ca)
    {
        var client = HttpProbe.CreateClient(ca);
        client.Timeout = ClientTimeout;
        client.DefaultRequestVersion = HttpVersion.Version11;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return client;
    }

    private static HttpRequestMessage Request(Uri uri, IReadOnlyList<string> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
        }

        return request;
    }

    private static double Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    private sealed class ClientTally
    {
        public List<double> SuccessMilliseconds { get; } = [];

        public long SucceededInWindow { get; private set; }

        public long ShedByProxy { get; private set; }

        public long ShedByReplicas { get; private set; }

        public long RateLimited { get; private set; }

        public long Failed { get; private set; }

        public string? FirstFailure { get; private set; }

        public void Add(HttpResponseMessage response, string body, double milliseconds, bool inWindow)
        {
            var status = (int)response.StatusCode;
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if (status is >= 200 and < 300)
            {
                SuccessMilliseconds.Add(milliseconds);
                SucceededInWindow += inWindow ? 1 : 0;
            }
            else if (status == 429 && problem)
            {
                RateLimited++;
            }
            else if (status == 503 && problem && body.Contains("at capacity", StringComparison.Ordinal))
            {
                ShedByProxy++; // nginx's limit_conn (routes.conf, @unavailable).
            }
            else if (status == 503 && problem && body.Contains("server is busy", StringComparison.Ordinal))
            {
                ShedByReplicas++; // A replica's concurrency limit (ServiceDefaults/Overload).
            }
            else
            {
                Fail(string.Create(CultureInfo.InvariantCulture, $"{status} {response.Content.Headers.ContentType}: {body[..Math.Min(body.Length, 200)]}"));
            }
        }

        public void Fail(string why)
        {
            Failed++;
            FirstFailure ??= why;
        }
    }
}
