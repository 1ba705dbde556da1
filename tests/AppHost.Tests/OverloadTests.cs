using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace AppHost.Tests;

/// <summary>
/// Overload through the real edge: far more clients than the stack serves at once get an answer each, quickly, either
/// served or refused with problem details (the proxy's caps, the replicas' limits, the rate limit), while every
/// replica's readiness still answers, and the stack serves normally again once they stop. Outcomes, not timings.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class OverloadTests(StackFixture stack, ITestOutputHelper output)
{
    /// <summary>Clients at once, each on a connection of its own, from this many loopback addresses (ten each).</summary>
    private const int Clients = 1000;
    private const int ClientAddresses = 100;

    private static readonly TimeSpan s_flood = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_clientTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The detail of each kind of shed answer: nginx's concurrency caps (routes.conf) and a replica's limit (ServiceDefaults/Overload).</summary>
    private static readonly string[] s_shedDetails =
    [
        "The service is at capacity; retry after the number of seconds in Retry-After.",
        "The server is busy; retry after the number of seconds in Retry-After.",
    ];

    [Fact]
    public async Task A_flood_of_a_thousand_clients_is_served_or_refused_with_problem_details_readiness_answers_and_the_stack_recovers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var replicas = await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token);

        // Many clients, as an overload from the internet would come, not one: from one address the proxy's per-client
        // limits would refuse nearly everything before the total cap or a replica were ever reached. Linux routes all
        // of 127.0.0.0/8 to loopback, so each client binds to one of a hundred addresses. A cookie keeps the proxy's
        // cache out of the way, so every request that is let through reaches a replica. Each client connects first,
        // fifty at a time: the flood then measures the stack's answers, not this process's TLS handshakes.
        var clients = Enumerable.Range(0, Clients).Select(i => FloodClient(i % ClientAddresses)).ToList();
        var answers = new List<(string Kind, string Detail)>();
        (string Replica, List<int> Answers)[] probed;
        try
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = timeout.Token }, async (client, cancellationToken) =>
            {
                var answer = await GetAsync(client, cancellationToken);
                lock (answers)
                {
                    answers.Add(answer);
                }
            });

            using var flooding = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var probes = replicas.Select(r => ProbeReadinessAsync(r, flooding.Token)).ToList();
            var stopSending = DateTime.UtcNow + s_flood;
            answers.AddRange((await Task.WhenAll(clients.Select(c => Task.Run(() => FloodAsync(c, stopSending, timeout.Token))))).SelectMany(a => a));
            await flooding.CancelAsync();
            probed = await Task.WhenAll(probes);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        // Then a client as usual, from the address every other test uses: ten answers in a row, so the next test finds
        // the stack as it was.
        var recovered = await RecoverAsync(timeout.Token);

        output.WriteLine($"{answers.Count} answers: " + string.Join(", ", answers.GroupBy(a => a.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        output.WriteLine("readiness probes: " + string.Join(", ", probed.Select(p => $"{p.Replica} {p.Answers.Count(s => s == 200)} of {p.Answers.Count} answered 200")));
        output.WriteLine($"recovered after {recovered} requests");
        var unexpected = answers.Where(a => a.Kind.StartsWith("unexpected", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} answers were neither served nor shed with problem details, e.g. {unexpected.FirstOrDefault().Detail}");
        Assert.Contains(answers, a => a.Kind == "served");
        Assert.All(probed, p =>
        {
            Assert.NotEmpty(p.Answers);
            Assert.True(p.Answers.All(s => s == 200), $"{p.Replica}'s /health/ready answered {string.Join(", ", p.Answers.Where(s => s != 200).Distinct())} during the flood (0 = no answer)");
        });
    }

    /// <summary>One client: GETs one after the other on its connection until <paramref name="stopSending"/>, each answer classified.</summary>
    private static async Task<List<(string Kind, string Detail)>> FloodAsync(HttpClient client, DateTime stopSending, CancellationToken cancellationToken)
    {
        var answers = new List<(string Kind, string Detail)>();
        while (DateTime.UtcNow < stopSending)
        {
            answers.Add(await GetAsync(client, cancellationToken));
        }

        return answers;
    }

    private static async Task<(string Kind, string Detail)> GetAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists");
        request.Headers.Add("Cookie", "flood=1");
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return Classify(response, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ("unexpected: timeout", $"no answer within {s_clientTimeout.TotalSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            return ("unexpected: no answer", $"{ex.HttpRequestError}: {ex.Message}");
        }
    }

    private static (string Kind, string Detail) Classify(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return ("served", "");
        }

        var description = $"{status} {response.Content.Headers.ContentType}: {body[..Math.Min(body.Length, 300)]}";
        if (status is not (429 or 503) || response.Content.Headers.ContentType?.MediaType != "application/problem+json" || response.Headers.RetryAfter?.Delta is not { } retryAfter || retryAfter <= TimeSpan.Zero)
        {
            return ("unexpected: status", description);
        }

        string? detail;
        try
        {
            using var problem = JsonDocument.Parse(body);
            detail = problem.RootElement.GetProperty("status").GetInt32() == status ? problem.RootElement.GetProperty("detail").GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return ("unexpected: body", description);
        }

        // A 503 that is not shedding (no replica answering) would be a failure under load, not a refusal of it.
        return status == 429 ? ("rate limited", detail ?? "")
            : s_shedDetails.Contains(detail) ? ($"shed: {Array.IndexOf(s_shedDetails, detail) switch { 0 => "proxy", _ => "replica" }}", detail!)
            : ("unexpected: 503", description);
    }

    /// <summary>A client of its own: one HTTP/1.1 connection, from 127.0.1.<paramref name="address"/>+1 (never 127.0.0.1, whose rate limit the other tests share).</summary>
    private HttpClient FloodClient(int address)
    {
        var source = new IPAddress([127, 0, 1, (byte)(address + 1)]);
        var handler = ProxyClient.CreateHandlerFrom(source, ProxyClient.CaCertificatePath(stack.App));
        handler.MaxConnectionsPerServer = 1;
        return new HttpClient(handler)
        {
            BaseAddress = ProxyClient.HttpsBase(stack.App),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = s_clientTimeout,
        };
    }

    /// <summary>The replica's readiness on its own port, four times a second until the flood ends: each status, 0 for no answer.</summary>
    private static async Task<(string Replica, List<int> Answers)> ProbeReadinessAsync(ResourceEvent replica, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = s_clientTimeout };
        var uri = new Uri($"http://127.0.0.1:{replica.EnvironmentPort("REPLICA_HTTP_PORT")}/health/ready");
        var answers = new List<int>();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(uri, cancellationToken);
                answers.Add((int)response.StatusCode);
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                answers.Add(0);
            }
        }

        return (replica.ResourceId, answers);
    }

    /// <summary>Asks as the other tests do until ten answers in a row are 200; returns how many requests that took.</summary>
    private async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        using var client = ProxyClient.Create(stack.App);
        var (requests, inARow) = (0, 0);
        var statuses = new List<int>();
        try
        {
            while (inARow < 10)
            {
                requests++;
                using var response = await client.GetAsync("/api/checklists", cancellationToken);
                statuses.Add((int)response.StatusCode);
                inARow = response.StatusCode == HttpStatusCode.OK ? inARow + 1 : 0;
                if (inARow == 0)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"The stack did not serve ten requests in a row after the flood; it answered {string.Join(", ", statuses.TakeLast(20).Select(s => s.ToString(CultureInfo.InvariantCulture)))}");
        }

        return requests;
    }
}
