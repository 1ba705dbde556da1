using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ReadinessAspire.Bench;

/// <summary>
/// What one load of <see cref="Connections"/> clients got: successes, shed answers by who shed them, failures; for a
/// flood also the readiness probes meanwhile and the time to recover after it.
/// </summary>
internal sealed record LoadResult(string Name, int Connections, TimeSpan Duration, long Succeeded, double SuccessesPerSecond, double P50SuccessMilliseconds, double P99SuccessMilliseconds,
    long ShedByProxy, long ShedByReplicas, long RateLimited, double P99ShedMilliseconds, long Failed, string? FirstFailure)
{
    /// <summary>Answered 429 or 503 with problem details: the stack refusing work it cannot do in time.</summary>
    public long Shed => ShedByProxy + ShedByReplicas + RateLimited;

    public int Probes { get; init; }

    public int ProbesAnswered { get; init; }

    /// <summary>Seconds from the end of the load until a new client's GET succeeded 10 times in a row; null if not within a minute or not measured.</summary>
    public double? RecoverySeconds { get; init; }

    public bool IsFlood { get; init; }

    public long Errors => Failed + (Probes - ProbesAnswered) + (IsFlood && RecoverySeconds is null ? 1 : 0);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {SuccessesPerSecond:0} successful req/s, p50 {P50SuccessMilliseconds:0.0} ms, p99 {P99SuccessMilliseconds:0.0} ms of successes; shed {Shed} (proxy caps {ShedByProxy}, replicas {ShedByReplicas}, rate limit {RateLimited}), p99 {P99ShedMilliseconds:0.0} ms; {Failed} failed{(FirstFailure is null ? "" : $" (first: {FirstFailure})")}")
        + (IsFlood ? string.Create(CultureInfo.InvariantCulture, $"; readiness {ProbesAnswered} of {Probes} probes 200; recovered {(RecoverySeconds is { } s ? $"in {s:0.00} s" : "not within 60 s")}") : "");
}

/// <summary>
/// Scenario m. Many clients at once, each an HTTP/1.1 connection of its own from one of a hundred loopback addresses
/// (as many users' would be, so the proxy's total cap and the replicas' limits are reached, not only its per-client
/// cap), each sending its next GET once answered, with a 10 s timeout. Every answer is classified and timed, so the
/// latency is that of the successes only (wrk cannot split its latencies by status). Two floods: clients that retry a
/// refusal at once, as wrk does, and clients that wait the Retry-After they were given. Meanwhile each replica's
/// readiness is asked on its own port; after each, how long until a new client's GET succeeds ten times in a row.
/// </summary>
internal static class OverloadFlood
{
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);
    private const int ClientAddresses = 100;
    private const int SuccessesInARow = 10;
    private static readonly TimeSpan s_recoveryLimit = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<LoadResult>> MeasureAsync(BenchStack stack, string url, IReadOnlyList<string> headers, int baselineConnections, int floodConnections, TimeSpan warmUp, TimeSpan baselineDuration, TimeSpan floodDuration, CancellationToken cancellationToken)
    {
        var ca = Path.Combine(stack.CertificateDirectory, "ca.crt");
        var uri = new Uri(url);
        var readiness = stack.OwnPorts("webapi").Select(port => new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/health/ready")).ToList();
        // Tiered JIT and connection pools first, on the load the baseline measures.
        await LoadAsync("warm-up", ca, uri, headers, baselineConnections, warmUp, honourRetryAfter: false, readiness: null, cancellationToken);
        var results = new List<LoadResult>();
        foreach (var (name, connections, duration, honour, probes) in new[]
        {
            ($"{baselineConnections} connections, {baselineDuration.TotalSeconds:0} s", baselineConnections, baselineDuration, false, (IReadOnlyList<Uri>?)null),
            ($"{floodConnections} connections, {floodDuration.TotalSeconds:0} s, refusals retried at once", floodConnections, floodDuration, false, readiness),
            ($"{floodConnections} connections, {floodDuration.TotalSeconds:0} s, Retry-After honoured", floodConnections, floodDuration, true, readiness),
        })
        {
            Console.WriteLine($"  {name}");
            var result = await LoadAsync(name, ca, uri, headers, connections, duration, honour, probes, cancellationToken);
            Console.WriteLine($"  {result}");
            results.Add(result);
        }

        return results;
    }

    private static async Task<LoadResult> LoadAsync(string name, string ca, Uri uri, IReadOnlyList<string> headers, int connections, TimeSpan duration, bool honourRetryAfter, IReadOnlyList<Uri>? readiness, CancellationToken cancellationToken)
    {
        var clients = Enumerable.Range(0, connections).Select(i => CreateClient(ca, i % ClientAddresses)).ToList();
        try
        {
            // Connected first, fifty at a time, each with one request not counted: as with wrk, the load's latencies are
            // those of requests on open connections, not of a thousand TLS handshakes on these two cores.
            var connectFailures = new ClientTally();
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = cancellationToken }, async (client, token) =>
            {
                try
                {
                    using var request = Request(uri, headers);
                    using var response = await client.SendAsync(request, token);
                    await response.Content.ReadAsStringAsync(token);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
                {
                    lock (connectFailures)
                    {
                        connectFailures.Fail($"connecting: {ex.Message}");
                    }
                }
            });

            using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var probes = (readiness ?? []).Select(r => ProbeAsync(r, probing.Token)).ToList();
            var started = Stopwatch.GetTimestamp();
            var stopSending = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var running = clients.Select(client => Task.Run(() => RunClientAsync(client, uri, headers, stopSending, honourRetryAfter, cancellationToken), cancellationToken)).ToList();

            // The clients stop sending at the deadline; what they still wait for is answered (or times out) meanwhile.
            await Task.Delay(duration, cancellationToken);
            var recovery = readiness is null ? Task.FromResult<double?>(null) : RecoverAsync(ca, uri, headers, cancellationToken);
            var tallies = (await Task.WhenAll(running)).Append(connectFailures).ToList();
            var recovered = await recovery;
            await probing.CancelAsync();
            var probed = await Task.WhenAll(probes);

            var successes = tallies.SelectMany(t => t.SuccessMilliseconds).Order().ToList();
            var shed = tallies.SelectMany(t => t.ShedMilliseconds).Order().ToList();
            return new LoadResult(
                name,
                connections,
                duration,
                successes.Count,
                tallies.Sum(t => t.SucceededInWindow) / duration.TotalSeconds,
                Percentile(successes, 0.50),
                Percentile(successes, 0.99),
                tallies.Sum(t => t.ShedByProxy),
                tallies.Sum(t => t.ShedByReplicas),
                tallies.Sum(t => t.RateLimited),
                Percentile(shed, 0.99),
                tallies.Sum(t => t.Failed),
                tallies.Select(t => t.FirstFailure).FirstOrDefault(f => f is not null))
            {
                IsFlood = readiness is not null,
                Probes = probed.Sum(p => p.Sent),
                ProbesAnswered = probed.Sum(p => p.Answered),
                RecoverySeconds = recovered,
            };
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<ClientTally> RunClientAsync(HttpClient client, Uri uri, IReadOnlyList<string> headers, long stopSending, bool honourRetryAfter, CancellationToken cancellationToken)
    {
        var tally = new ClientTally();
        while (Stopwatch.GetTimestamp() < stopSending && !cancellationToken.IsCancellationRequested)
        {
            using var request = Request(uri, headers);
            var sent = Stopwatch.GetTimestamp();
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var received = Stopwatch.GetTimestamp();
                if (tally.Add(response, body, Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds, received <= stopSending))
                {
                    retryAfter = response.Headers.RetryAfter?.Delta;
                }
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                tally.Fail($"no answer within {ClientTimeout.TotalSeconds:0} s");
            }
            catch (HttpRequestException ex)
            {
                tally.Fail($"{ex.HttpRequestError}: {ex.Message}");
            }

            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), stopSending);
            if (honourRetryAfter && retryAfter is { } wait && left > TimeSpan.Zero)
            {
                await Task.Delay(wait < left ? wait : left, cancellationToken);
            }
        }

        return tally;
    }

    /// <summary>Seconds from now until a new client's GET has succeeded <see cref="SuccessesInARow"/> times in a row; null if not within a minute.</summary>
    private static async Task<double?> RecoverAsync(string ca, Uri uri, IReadOnlyList<string> headers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var client = HttpProbe.CreateClient(ca);
        client.Timeout = ClientTimeout;
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

    /// <summary>Asks twice a second until cancelled: how many asked, how many answered 200.</summary>
    private static async Task<(int Sent, int Answered)> ProbeAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = ClientTimeout };
        var (sent, answered) = (0, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(uri, cancellationToken);
                sent++;
                answered += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
                await Task.Delay(500, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break; // Cut short by the end of the load, not unanswered.
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                sent++;
            }
        }

        return (sent, answered);
    }

    /// <summary>One client: one HTTP/1.1 connection from 127.0.1.<paramref name="address"/>+1, the proxy's CA only.</summary>
    private static HttpClient CreateClient(string ca, int address)
    {
        var source = new IPAddress([127, 0, 1, (byte)(address + 1)]);
        var handler = HttpProbe.CreateHandler(ca);
        handler.MaxConnectionsPerServer = 1;
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return new HttpClient(handler)
        {
            Timeout = ClientTimeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
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

        public List<double> ShedMilliseconds { get; } = [];

        public long SucceededInWindow { get; private set; }

        public long ShedByProxy { get; private set; }

        public long ShedByReplicas { get; private set; }

        public long RateLimited { get; private set; }

        public long Failed { get; private set; }

        public string? FirstFailure { get; private set; }

        /// <summary>Counts the answer; true if it was shed (429 or 503 problem details).</summary>
        public bool Add(HttpResponseMessage response, string body, double milliseconds, bool inWindow)
        {
            var status = (int)response.StatusCode;
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if (status is >= 200 and < 300)
            {
                SuccessMilliseconds.Add(milliseconds);
                SucceededInWindow += inWindow ? 1 : 0;
                return false;
            }

            if (status == 429 && problem)
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
                return false;
            }

            ShedMilliseconds.Add(milliseconds);
            return true;
        }

        public void Fail(string why)
        {
            Failed++;
            FirstFailure ??= why;
        }
    }
}
