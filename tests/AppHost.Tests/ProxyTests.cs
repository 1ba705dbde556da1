using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using WebApi.Tests.OpenApi;

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

        // The page's policy is StaticHost's, passed on once: its scripts and styles, Trusted Types; the API's stays the edge's.
        var pagePolicy = Header(page, "Content-Security-Policy");
        Assert.Contains("script-src 'self'", pagePolicy, StringComparison.Ordinal);
        Assert.Contains("require-trusted-types-for 'script'", pagePolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", Header(ok, "Content-Security-Policy"), StringComparison.Ordinal);
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
    public async Task Every_listener_refuses_a_foreign_host_and_plain_http_never_redirects_to_it()
    {
        // Plain HTTP: 421, not a redirect to https://attacker.example/.
        using (var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = ProxyClient.HttpBase(stack.App) })
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists"))
        {
            request.Headers.Host = "attacker.example";
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // Every service process behind the proxy, on its own port: host filtering (AllowedHosts) answers 400 to all
        // but the orchestrator's probes (ServiceDefaults.Tests.HostFilteringTests).
        await using var states = ResourceWatch.Watch(stack.App);
        var model = stack.App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var name in new[] { "webapi", "static" })
        {
            foreach (var instance in await states.InstancesAsync(model.Resources.Single(r => r.Name == name), CancellationToken.None))
            {
                using var direct = new HttpClient { BaseAddress = Drills.ReplicaAddress(instance) };
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists");
                request.Headers.Host = "attacker.example";
                using var response = await direct.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{instance.ResourceId}: {(int)response.StatusCode} for a foreign Host");
            }
        }
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
    public async Task A_request_the_proxy_cannot_read_is_refused_with_problem_details()
    {
        // A NUL in the path, as the fuzz run sent it: nginx refuses it before any replica sees it.
        using var client = ProxyClient.Create(stack.App);
        using var response = await client.GetAsync(new Uri("/api/reviews/00000000-0000-0000-0000-000000000000/items/a%00b/evidence", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
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
        // From an address of its own: the burst spends that address's allowance, not the one every other test shares.
        using var client = new HttpClient(ProxyClient.CreateHandlerFrom(IPAddress.Parse("127.0.2.1"), ProxyClient.CaCertificatePath(stack.App)))
        {
            BaseAddress = ProxyClient.HttpsBase(stack.App),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
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

        // Both come from the cache. UPDATING: an earlier test's entry had expired, so the first GET started a background
        // refresh, which had not finished when the second GET came (on a loaded machine).
        Assert.True(Header(cached, "X-Cache-Status") is "HIT" or "UPDATING", $"X-Cache-Status: {Header(cached, "X-Cache-Status")}");
        Assert.Contains("max-age=60", cached.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.NotNull(cached.Headers.ETag);
        Assert.Equal("BYPASS", Header(withCookie, "X-Cache-Status"));
    }

    [Fact]
    public async Task The_proxy_keeps_the_file_of_a_cached_response_open_between_hits()
    {
        using var client = ProxyClient.Create(stack.App);
        for (var i = 0; i < 4; i++)
        {
            (await client.GetAsync("/api/checklists")).Dispose();
        }

        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState("proxy", out var proxy));
        var master = LinuxProcess.Find(proxy.ProcessId() ?? throw new Xunit.Sdk.XunitException("proxy reports no pid"));
        Assert.NotNull(master);

        // Between requests, so no hit is being served now: a descriptor still open is one the workers kept.
        var open = LinuxProcess.Tree(master)
            .SelectMany(worker => Directory.EnumerateFileSystemEntries($"/proc/{worker.Pid}/fd").Select(fd => new FileInfo(fd).LinkTarget))
            .ToList();
        Assert.Contains(open, target => target is not null && target.Contains("/cache/api/", StringComparison.Ordinal));
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
    public async Task The_OpenAPI_document_the_API_reference_and_its_assets_load_through_the_proxy()
    {
        using var client = ProxyClient.Create(stack.App);
        using var document = await client.GetAsync(ReferencePage.DocumentPath);
        using var redirect = await client.GetAsync("/api/docs");
        using var page = await client.GetAsync(ReferencePage.PagePath);
        var reference = await ReferencePage.GetAsync(client);

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("application/json", document.Content.Headers.ContentType?.MediaType);
        AssertHardened(document);
        using (var json = JsonDocument.Parse(await document.Content.ReadAsStringAsync()))
        {
            // Test requests from the reference go to the proxy, as the client reached it (port included).
            var server = json.RootElement.GetProperty("servers")[0].GetProperty("url").GetString();
            Assert.Equal(ProxyClient.HttpsBase(stack.App), new Uri(new Uri(ProxyClient.HttpsBase(stack.App), ReferencePage.DocumentPath), server));
        }

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("docs/", redirect.Headers.Location?.OriginalString);
        // The edge's headers, with WebApi's policy for the page in place of the edge's own (ReferencePage checks it).
        AssertEdgeHeaders(page);
        Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        foreach (var asset in reference.Assets)
        {
            using var response = await client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
            var expected = Path.GetExtension(asset.OriginalString) switch { ".js" => "text/javascript", ".svg" => "image/svg+xml", _ => "application/json" };
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
            AssertEdgeHeaders(response);
            Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        }
    }

    [Fact]
    public async Task The_request_id_is_the_proxys_own_returned_to_the_client_and_logged()
    {
        await using var accessLog = ProxyAccessLog.Follow(stack.App);
        using var client = ProxyClient.Create(stack.App);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Request-Id", "forged-by-client");
        using var response = await client.SendAsync(request);

        var requestId = Header(response, "X-Request-Id");
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        using var timeout = new CancellationTokenSource(s_logTimeout);
        var entry = (await accessLog.WaitForRequestsAsync([requestId], timeout.Token))[requestId];
        Assert.Equal("/health/live", entry.GetProperty("path").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("upstream_addr").GetString()));
        Assert.DoesNotContain(accessLog.Entries, e => e.GetProperty("request_id").GetString() == "forged-by-client");
    }

    [Fact]
    public async Task A_thousand_gets_are_spread_evenly_over_both_replicas()
    {
        await using var accessLog = ProxyAccessLog.Follow(stack.App);
        using var client = ProxyClient.Create(stack.App);
        var upstreams = await WaitUntilBothReplicasInRotationAsync(client, accessLog);

        var requestIds = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            using var response = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            requestIds.Add(Header(response, "X-Request-Id"));
        }

        using var timeout = new CancellationTokenSource(s_logTimeout);
        var entries = await accessLog.WaitForRequestsAsync(requestIds, timeout.Token);
        Assert.Equal(1000, entries.Count);
        // Which replica answered: nginx logs the upstream it passed each request to, a replica's own port.
        var perReplica = entries.Values.GroupBy(UpstreamAddress).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(upstreams.Order(StringComparer.Ordinal), perReplica.Keys.Order(StringComparer.Ordinal));
        Assert.All(perReplica, pair => Assert.InRange(pair.Value, 425, 575));
    }

    [Fact]
    public async Task Killing_a_replica_under_a_stream_of_gets_fails_no_request()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var accessLog = ProxyAccessLog.Follow(stack.App);
        var victim = (await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token))[0];
        var victimUpstream = Upstream(victim);
        var victimApp = victim.AppProcessId();

        var load = new LoadLoop(() => ProxyClient.Create(stack.App), "/health/ready", concurrency: 4);
        int answeredWhileDown;
        try
        {
            // The stream reaches the victim before it dies...
            await accessLog.WaitForAsync(e => UpstreamAddress(e) == victimUpstream, timeout.Token, after: accessLog.Count);
            var answeredBeforeKill = load.Answers.Count;
            using (var app = System.Diagnostics.Process.GetProcessById(victimApp))
            {
                app.Kill(); // SIGKILL: no graceful shutdown, connections die mid-request.
            }

            // ...Aspire reports it exited and the AppHost starts it again: a new process...
            var restarted = (await stack.App.WaitUntilAsync(
                s => s.TryGetValue(victim.ResourceId, out var replica) && replica.ProcessId() is int pid && pid != victim.ProcessId() && replica.IsRunningAndHealthy(),
                timeout.Token))[victim.ResourceId];
            answeredWhileDown = load.Answers.Count - answeredBeforeKill;

            // ...and nginx passes requests to it again once it answers.
            await accessLog.WaitForAsync(e => UpstreamAddress(e) == Upstream(restarted) && e.GetProperty("status").GetInt32() == 200, timeout.Token, after: accessLog.Count);
        }
        finally
        {
            await load.DisposeAsync();
        }

        Assert.True(answeredWhileDown > 0, "no request was answered while the replica was down");
        var failed = load.Answers.Where(a => a.Status != 200).Select(a => a.Status).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {load.Answers.Count} requests failed: {string.Join(", ", failed.Distinct())} (0 = no HTTP answer)");
    }

    private static readonly string[] s_hardeningHeaders = ["Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "X-Request-Id"];

    private static void AssertHardened(HttpResponseMessage response)
    {
        AssertEdgeHeaders(response);
        var csp = Header(response, "Content-Security-Policy");
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("base-uri 'none'", csp, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", csp, StringComparison.Ordinal);
    }

    /// <summary>Every header the edge sets, whatever the Content-Security-Policy.</summary>
    private static void AssertEdgeHeaders(HttpResponseMessage response)
    {
        foreach (var name in s_hardeningHeaders)
        {
            Assert.True(response.Headers.Contains(name), $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri} lacks {name}");
        }

        Assert.Equal("max-age=63072000; includeSubDomains; preload", Header(response, "Strict-Transport-Security"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Resource-Policy"));
        Assert.False(response.Headers.Contains("Server"), "a Server header names the software");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : string.Empty;

    private static readonly TimeSpan s_logTimeout = TimeSpan.FromMinutes(1);

    private static string UpstreamAddress(JsonElement entry) => entry.GetProperty("upstream_addr").GetString() ?? string.Empty;

    /// <summary>How nginx names a replica in <c>upstream_addr</c>: its own port, never DCP's proxy.</summary>
    private static string Upstream(ResourceEvent replica) => $"127.0.0.1:{replica.EnvironmentPort("REPLICA_HTTP_PORT")}";

    /// <summary>
    /// Both replicas running, healthy and answering through nginx: after an earlier test killed one, nginx leaves it
    /// out for fail_timeout. Returns how nginx names the two upstreams.
    /// </summary>
    private async Task<List<string>> WaitUntilBothReplicasInRotationAsync(HttpClient client, ProxyAccessLog accessLog)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var upstreams = (await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token)).Select(Upstream).ToList();
        Assert.Equal(2, upstreams.Distinct().Count());
        while (!timeout.IsCancellationRequested)
        {
            var requestIds = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                using var response = await client.GetAsync("/health/ready", timeout.Token);
                requestIds.Add(Header(response, "X-Request-Id"));
            }

            var answeredBy = (await accessLog.WaitForRequestsAsync(requestIds, timeout.Token)).Values.Select(UpstreamAddress).ToHashSet();
            if (upstreams.All(answeredBy.Contains))
            {
                return upstreams;
            }
        }

        throw new Xunit.Sdk.XunitException($"nginx never passed requests to both {string.Join(" and ", upstreams)}");
    }

    [GeneratedRegex(@"/assets/[A-Za-z0-9._-]+\.(js|css)")]
    private static partial Regex AssetUrl();
}
