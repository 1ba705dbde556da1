using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReadinessAspire.Hosting.Orchestration;

namespace AppHost.Tests;

/// <summary>The edge, through real nginx: TLS, routing, balance, failover, caching and hardening.</summary>
[Collection(StackTestGroup.Name)]
public sealed partial class ProxyTests(StackFixture stack)
{
    [Fact]
    public async Task Responses_carry_every_security_header_and_no_server_name()
    {
        using var client = ProxyClient.Create(stack.App);
        using var ok = await client.GetAsync("/api/checklists");
        using var notFound = await client.GetAsync("/api/checklists/no-such-checklist");
        using var page = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(new Version(2, 0), ok.Version);
        foreach (var response in new[] { ok, notFound, page })
        {
            AssertHardened(response);
        }
    }

    [Fact]
    public async Task Plain_http_redirects_to_https_on_the_same_host()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = ProxyClient.HttpBase(stack.App) };
        using var response = await client.GetAsync("/api/checklists?page=2");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(new Uri(ProxyClient.HttpsBase(stack.App), "/api/checklists?page=2"), response.Headers.Location);
        AssertHardened(response);
    }

    [Fact]
    public async Task A_host_that_is_not_ours_is_refused()
    {
        using var client = ProxyClient.Create(stack.App);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists");
        request.Headers.Host = "attacker.example";
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        AssertHardened(response);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        using var client = ProxyClient.Create(stack.App);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/checklists") { Content = new ByteArrayContent(new byte[2 * 1024 * 1024]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertHardened(response);
    }

    [Fact]
    public async Task Trace_is_refused()
    {
        using var client = ProxyClient.Create(stack.App);
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/api/checklists"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        AssertHardened(response);
    }

    [Fact]
    public async Task A_burst_on_the_api_gets_429_with_retry_after()
    {
        using var client = ProxyClient.Create(stack.App);
        var responses = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => client.GetAsync("/api/checklists")));
        try
        {
            var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(limited);
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.All(limited, r =>
            {
                Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
                AssertHardened(r);
            });
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            await WaitUntilNotLimitedAsync(client);
        }
    }

    [Fact]
    public async Task Cacheable_reads_are_served_from_the_proxy_cache_but_never_with_credentials()
    {
        using var client = ProxyClient.Create(stack.App);
        (await client.GetAsync("/api/checklists")).Dispose();
        using var cached = await client.GetAsync("/api/checklists");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists");
        request.Headers.Add("Cookie", "session=abc");
        using var withCookie = await client.SendAsync(request);

        Assert.Equal("HIT", Header(cached, "X-Cache-Status"));
        Assert.Contains("max-age=60", cached.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.NotNull(cached.Headers.ETag);
        Assert.Equal("BYPASS", Header(withCookie, "X-Cache-Status"));
    }

    [Fact]
    public async Task Fingerprinted_assets_are_immutable_for_a_year_and_compressed()
    {
        using var client = ProxyClient.Create(stack.App);
        var page = await client.GetStringAsync("/");
        var asset = AssetUrl().Match(page);
        Assert.True(asset.Success, "index.html references no fingerprinted asset");

        using var request = new HttpRequestMessage(HttpMethod.Get, asset.Value);
        request.Headers.AcceptEncoding.ParseAdd("br");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
    }

    [Fact]
    public async Task The_request_id_is_the_proxys_own_returned_to_the_client_and_logged()
    {
        using var client = ProxyClient.Create(stack.App);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Request-Id", "forged-by-client");
        using var response = await client.SendAsync(request);

        var requestId = Header(response, "X-Request-Id");
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        var entry = await WaitForAccessLogAsync(stack.App, e => e.GetProperty("request_id").GetString() == requestId);
        Assert.Equal("/health/live", entry.GetProperty("path").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("upstream_addr").GetString()));
    }

    [Fact]
    public async Task A_thousand_gets_are_spread_evenly_over_both_replicas()
    {
        using var client = ProxyClient.Create(stack.App);
        await WaitUntilBothReplicasInRotationAsync(client);
        var earlier = ReadAccessLog(stack.App).Count(e => e.GetProperty("path").GetString() == "/health/ready");
        for (var i = 0; i < 1000; i++)
        {
            using var response = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var entries = await WaitForAccessLogCountAsync(stack.App, "/health/ready", earlier + 1000);
        entries = entries.Skip(earlier).ToList();
        Assert.Equal(1000, entries.Count);
        var perReplica = entries.GroupBy(e => e.GetProperty("upstream_addr").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        var replicaPorts = stack.App.ResourceNotifications.Snapshot("webapi").Urls.Select(u => new Uri(u).Port).ToList();
        Assert.Equal(2, perReplica.Count);
        Assert.All(perReplica, pair =>
        {
            Assert.Contains(new Uri($"http://{pair.Key}").Port, replicaPorts);
            Assert.InRange(pair.Value, 425, 575);
        });
    }

    [Fact]
    public async Task Killing_a_replica_under_a_stream_of_gets_fails_no_request()
    {
        using var client = ProxyClient.Create(stack.App);
        var before = stack.App.ResourceNotifications.Instance("webapi", 0);
        var failures = new List<string>();
        var completed = 0;
        using var stop = new CancellationTokenSource();

        async Task StreamAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("/health/ready");
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        lock (failures)
                        {
                            failures.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                }
                catch (HttpRequestException ex)
                {
                    lock (failures)
                    {
                        failures.Add(ex.Message);
                    }
                }

                Interlocked.Increment(ref completed);
            }
        }

        var streams = Enumerable.Range(0, 4).Select(_ => Task.Run(StreamAsync)).ToList();
        await Task.Delay(500);
        System.Diagnostics.Process.GetProcessById(before.Pid!.Value).Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stack.App.ResourceNotifications.WaitForResourceAsync(
            "webapi",
            s => s.Replicas[0].Restarts > before.Restarts && s.Replicas[0].State == ResourceState.Healthy,
            timeout.Token);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(streams);

        Assert.True(completed > 100, $"only {completed} requests completed");
        Assert.Empty(failures);
    }

    private static readonly string[] s_hardeningHeaders = ["Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "X-Request-Id"];

    private static void AssertHardened(HttpResponseMessage response)
    {
        foreach (var name in s_hardeningHeaders)
        {
            Assert.True(response.Headers.Contains(name), $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri} lacks {name}");
        }

        Assert.Equal("max-age=63072000; includeSubDomains", Header(response, "Strict-Transport-Security"));
        var csp = Header(response, "Content-Security-Policy");
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("base-uri 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Resource-Policy"));
        Assert.False(response.Headers.Contains("Server"), "a Server header names the software");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : string.Empty;

    /// <summary>
    /// After an earlier test killed a replica, nginx leaves it out for fail_timeout; measure only once the access log
    /// shows both replicas answering again.
    /// </summary>
    private async Task WaitUntilBothReplicasInRotationAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("webapi", timeout.Token);
        for (var attempt = 0; attempt < 30; attempt++)
        {
            for (var i = 0; i < 20; i++)
            {
                (await client.GetAsync("/health/ready")).Dispose();
            }

            await Task.Delay(1100); // nginx flushes its buffered access log every second.
            var recent = ReadAccessLog(stack.App).Where(e => e.GetProperty("path").GetString() == "/health/ready").TakeLast(10);
            if (recent.Select(e => e.GetProperty("upstream_addr").GetString()).Distinct().Count() == 2)
            {
                return;
            }
        }
    }

    private static async Task WaitUntilNotLimitedAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var response = await client.GetAsync("/api/checklists");
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> WaitForAccessLogAsync(ReadinessAspire.Hosting.DistributedApplication app, Func<JsonElement, bool> match)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (ReadAccessLog(app).FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } entry)
            {
                return entry;
            }

            await Task.Delay(100); // nginx flushes its buffered access log every second.
        }

        throw new Xunit.Sdk.XunitException("no matching access log entry");
    }

    private static async Task<List<JsonElement>> WaitForAccessLogCountAsync(ReadinessAspire.Hosting.DistributedApplication app, string path, int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var entries = ReadAccessLog(app).Where(e => e.GetProperty("path").GetString() == path).ToList();
            if (entries.Count >= count || attempt == 50)
            {
                return entries;
            }

            await Task.Delay(100); // nginx flushes its buffered access log every second.
        }
    }

    private static List<JsonElement> ReadAccessLog(ReadinessAspire.Hosting.DistributedApplication app)
    {
        using var stream = new FileStream(ProxyClient.AccessLog(app), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            entries.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        return entries;
    }

    [GeneratedRegex(@"/assets/[A-Za-z0-9._-]+\.(js|css)")]
    private static partial Regex AssetUrl();
}
