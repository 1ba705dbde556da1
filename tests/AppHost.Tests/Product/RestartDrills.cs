using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace AppHost.Tests.Product;

/// <summary>
/// Sessions outlive the processes around them: the key ring is in PostgreSQL, encrypted with the AppHost's certificate,
/// and Redis is a pure cache. A signed-in browser keeps its cookie and antiforgery token across a restart of the
/// cache and of every replica; a revoked token stays revoked and a write is seen, although the cache was emptied.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class KeyRingDrill(StackFixture stack, ITestOutputHelper output)
{
    private static readonly string[] s_read = ["read"];

    [Fact]
    public async Task A_session_and_its_antiforgery_token_survive_a_restart_of_the_cache_and_of_every_replica()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var states = await Drills.WatchWebApiAsync(app, timeout.Token);

        using var user = await ProductUser.SignUpAsync(stack, "keyring");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await user.CreateServiceAsync(teamId);
        var token = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "revoked", scopes = s_read }))!;
        using var revoked = ProductUser.WithToken(stack, token["token"]!.GetValue<string>());
        await revoked.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/services");
        var listed = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/tokens"))!.AsArray();
        var tokenId = token["details"]!["id"]!.GetValue<string>();
        var etag = listed.Single(t => t!["id"]!.GetValue<string>() == tokenId)!["etag"]!.GetValue<string>();
        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/account/tokens/{tokenId}", ifMatch: etag);
        await revoked.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/services");

        // The ring is in PostgreSQL, every key encrypted with the certificate (no master key in clear).
        var keys = await ReadKeyRingAsync(app);
        output.WriteLine($"{keys.Count} key(s) in DataProtectionKeys");
        // One key: the migrator made it before any replica started, so replicas starting together did not each make one.
        Assert.Single(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("EncryptedData", key, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
        });

        await Drills.StopAsync(app, "cache", timeout.Token);
        await states.WaitAsync("cache", e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
        await Drills.StartAgainAsync(app, "cache");
        output.WriteLine("cache restarted, empty (no persistence)");

        // The same browser, same cookie and token: a write through the proxy is accepted.
        await WriteAsSameBrowserAsync(user, teamId, "after the cache restart");
        await revoked.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/services");
        // A write after the cache was emptied is seen by every following read, whichever replica answers.
        var renamed = $"Renamed {Guid.NewGuid():N}"[..24];
        await RenameAsync(user, service, renamed);
        for (var read = 0; read < 10; read++)
        {
            var seen = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{service["id"]}"))!;
            Assert.Equal(renamed, seen["name"]!.GetValue<string>());
        }

        foreach (var replica in states.Instances("webapi"))
        {
            output.WriteLine($"restarting {replica.ResourceId}");
            await Drills.StopAsync(app, replica.ResourceId, timeout.Token);
            var stopped = await states.WaitAsync(replica.ResourceId, e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
            // DCP sends SIGTERM and SIGKILLs after 6 s: the drain and the rest of the stop fit in that, so the exit is clean.
            Assert.True(stopped.Snapshot.ExitCode == 0, $"{replica.ResourceId} exited with {stopped.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "no code"} when the AppHost stopped it");
            await Drills.StartAsync(app, replica.ResourceId, timeout.Token);
            var running = await states.WaitAsync(replica.ResourceId, e => e.Snapshot.State?.Text == KnownResourceStates.Running && Drills.Pid(e) is int pid && pid != Drills.Pid(replica), timeout.Token);
            await running.WaitUntilServingAsync(timeout.Token);
        }

        // Every process that issued the cookie and token is gone; the new ones read the same ring.
        await Drills.WaitForProxyReadyAsync(app, timeout.Token);
        await WriteAsSameBrowserAsync(user, teamId, "after every replica restarted");
        await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/me");
        await revoked.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/services");
    }

    private static async Task WriteAsSameBrowserAsync(ProductUser user, string teamId, string when)
    {
        using var response = await user.SendAsync(HttpMethod.Post, "/api/services", new { teamId, name = "Survivor", slug = $"keep-{Guid.NewGuid():N}"[..20] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{when}: the same cookie and antiforgery token got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task RenameAsync(ProductUser user, JsonNode service, string name)
    {
        using var current = await user.SendAsync(HttpMethod.Get, $"/api/services/{service["id"]}");
        await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/services/{service["id"]}", new { name, tier = "A" }, ifMatch: current.Headers.ETag!.ToString());
    }

    private static async Task<List<string>> ReadKeyRingAsync(DistributedApplication app)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Xml" FROM "DataProtectionKeys" """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}

/// <summary>
/// A rolling restart under load: every replica in turn gets SIGTERM, drains and exits 0, and is started again, while
/// clients read and write through nginx. No request fails, every write that was acknowledged is stored, and none is
/// stored twice.
/// </summary>
/// <remarks>
/// The clients do what a client of any nginx must: a replica that returns on another port makes the AppHost reload
/// nginx, and an old worker closes its idle keep-alive connections as it exits. A request sent on one of them at that
/// moment is reset before nginx reads it (nginx has no setting against it: nginx/nginx#303 and #437 were closed
/// unmerged). So a client sends a request again once when its connection failed before an answer, and every POST
/// carries an <c>Idempotency-Key</c>, which makes sending it again safe whether or not the first one arrived.
/// </remarks>
[Collection(StackTestGroup.Name)]
public sealed class RollingRestartDrill(StackFixture stack, ITestOutputHelper output)
{
    private const int Sigterm = 15;
    private static readonly string[] s_readWrite = ["read", "write"];

    [Fact]
    public async Task Every_replica_restarted_in_turn_under_mixed_load_fails_no_request_and_loses_no_acknowledged_write()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var states = await Drills.WatchWebApiAsync(app, timeout.Token);
        await Drills.WaitForProxyReadyAsync(app, timeout.Token);
        // What nginx says of a failed request (which upstream, what it saw) explains it better than the client can;
        // it reads the whole backlog, so lines from before the drill are there too.
        await using var proxyLog = ProxyAccessLog.Follow(app);
        var errorLogBefore = proxyLog.ErrorLog.Count;
        var nginx = Drills.Pid(states.Instances("proxy")[0])!.Value;
        await using var timeline = ProxyTimeline.Follow(NginxConfiguration, nginx);

        using var user = await ProductUser.SignUpAsync(stack, "rolling");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var token = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "load", scopes = s_readWrite }))!["token"]!.GetValue<string>();

        var failures = new ConcurrentQueue<(DateTime At, string Request, string Outcome)>();
        var sentAgain = new ConcurrentQueue<string>();
        var acknowledged = new ConcurrentQueue<string>();
        var sent = 0;
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            using var http = ProxyClient.Create(app);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                Interlocked.Increment(ref sent);
                var write = client % 2 == 0 && i % 2 == 0;
                var slug = $"roll-{Guid.NewGuid():N}"[..20];
                var idempotencyKey = Guid.NewGuid().ToString();
                HttpRequestMessage NewRequest()
                {
                    if (!write)
                    {
                        return new HttpRequestMessage(HttpMethod.Get, i % 3 == 0 ? "/api/checklists" : $"/api/services?teamId={teamId}");
                    }

                    var post = new HttpRequestMessage(HttpMethod.Post, "/api/services") { Content = JsonContent.Create(new { teamId, name = "Rolling", slug }) };
                    post.Headers.Add("Idempotency-Key", idempotencyKey);
                    return post;
                }

                for (var attempt = 1; ; attempt++)
                {
                    using var request = NewRequest();
                    try
                    {
                        using var response = await http.SendAsync(request, CancellationToken.None);
                        if (!response.IsSuccessStatusCode)
                        {
                            failures.Enqueue((DateTime.UtcNow, $"{request.Method} {request.RequestUri} (attempt {attempt})", $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}"));
                        }
                        else if (write)
                        {
                            acknowledged.Enqueue((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
                        }

                        break;
                    }
                    catch (HttpRequestException exception) when (attempt == 1)
                    {
                        sentAgain.Enqueue($"{request.Method} {request.RequestUri}: {Describe(exception)}");
                    }
                    catch (HttpRequestException exception)
                    {
                        failures.Enqueue((DateTime.UtcNow, $"{request.Method} {request.RequestUri} (attempt {attempt})", Describe(exception)));
                        break;
                    }
                }

                // Paced under the proxy's per-address limit (50 requests a second): every client here is 127.0.0.1.
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
        })).ToList();

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
            foreach (var replica in states.Instances("webapi"))
            {
                var appPid = replica.AppProcessId();
                var workers = Workers(nginx);
                timeline.Note($"SIGTERM to {replica.ResourceId}'s app process {appPid.ToString(CultureInfo.InvariantCulture)}, serving on port {replica.EnvironmentPort("REPLICA_HTTP_PORT")}");
                LinuxProcess.Find(appPid)?.Signal(Sigterm);
                var exited = await states.WaitAsync(replica.ResourceId, e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
                timeline.Note($"{replica.ResourceId} {exited.Snapshot.State?.Text}, exit code {exited.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
                Assert.Equal(0, exited.Snapshot.ExitCode);
                await Drills.StartAsync(app, replica.ResourceId, timeout.Token);
                var running = await states.WaitAsync(replica.ResourceId, e => e.Snapshot.State?.Text == KnownResourceStates.Running && Drills.Pid(e) is int pid && pid != Drills.Pid(replica), timeout.Token);
                timeline.Note($"{replica.ResourceId} running again, port {running.EnvironmentPort("REPLICA_HTTP_PORT")}");
                await running.WaitUntilServingAsync(timeout.Token);
                timeline.Note($"{replica.ResourceId} ready on its own port");
                // As an orchestrator's rolling update does, the next replica stops only once the load balancer routes
                // to this one: the AppHost renders its new port into nginx's upstreams and reloads nginx (SIGHUP).
                await WaitForUpstreamAsync(running.EnvironmentPort("REPLICA_HTTP_PORT")!.Value, nginx, proxyLog, timeline, timeout.Token);
                if (running.EnvironmentPort("REPLICA_HTTP_PORT") == replica.EnvironmentPort("REPLICA_HTTP_PORT"))
                {
                    // Back on its port, the replica changed nothing nginx routes to: no reload, the same workers, which
                    // keep their clients' connections and what they learnt of each replica.
                    Assert.Equal(workers, Workers(nginx));
                }
            }
        }
        finally
        {
            await stopLoad.CancelAsync();
            await Task.WhenAll(load);
        }

        output.WriteLine($"{sent.ToString(CultureInfo.InvariantCulture)} requests sent, {sentAgain.Count.ToString(CultureInfo.InvariantCulture)} sent again after a connection failed, {failures.Count.ToString(CultureInfo.InvariantCulture)} failed, {acknowledged.Count.ToString(CultureInfo.InvariantCulture)} writes acknowledged");
        foreach (var again in sentAgain)
        {
            output.WriteLine($"sent again: {again}");
        }

        // The steps, nginx's reloads and upstreams, the failures and nginx's errors, in time: what a failure needs to be explained.
        var errorLog = proxyLog.ErrorLog.Skip(errorLogBefore).ToList();
        output.WriteLine($"nginx error log: {errorLog.Count.ToString(CultureInfo.InvariantCulture)} lines during the drill; the timeline:");
        foreach (var line in timeline.Report(failures.Select(f => (f.At, f.Outcome.Length > 100 ? f.Outcome[..100] : f.Outcome)), errorLog))
        {
            output.WriteLine(line);
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} of {sent} requests failed (the timeline is in the output):\n"
            + string.Join('\n', failures.Take(10).Select(f => $"{f.At:HH:mm:ss.fff} {f.Request}: {f.Outcome}"))
            + "\nnginx error log, last 10 lines:\n" + string.Join('\n', errorLog.TakeLast(10)));
        Assert.True(acknowledged.Count > 10, $"only {acknowledged.Count} writes were acknowledged");

        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT count(*) FILTER (WHERE "Id" = ANY(@ids)), count(*) FROM "Services" WHERE "TeamId" = @team""", connection);
        command.Parameters.AddWithValue("ids", acknowledged.Select(Guid.Parse).ToArray());
        command.Parameters.AddWithValue("team", Guid.Parse(teamId));
        await using var counts = await command.ExecuteReaderAsync();
        await counts.ReadAsync();
        var (found, stored) = (counts.GetInt64(0), counts.GetInt64(1));
        output.WriteLine($"{found.ToString(CultureInfo.InvariantCulture)} of the acknowledged writes found in PostgreSQL, {stored.ToString(CultureInfo.InvariantCulture)} services in the team");
        Assert.Equal(acknowledged.Count, found);
        // A POST sent again after a connection failed was stored once, whether or not the first one had arrived.
        Assert.Equal(acknowledged.Count, stored);
    }

    /// <summary>The exception's message and its inner ones': what failed (TLS, the socket, the HTTP/2 stream) and how.</summary>
    private static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            messages.Add($"{current.GetType().Name}: {current.Message}");
        }

        return string.Join(" <- ", messages);
    }

    /// <summary>
    /// Until nginx routes to <paramref name="port"/> again: the AppHost has rendered it into the upstreams (a replica
    /// may come back on another port), no worker of a previous configuration is left (after SIGHUP the old workers
    /// finish the connections they hold, with the old upstreams, before they exit), a request was answered from it
    /// (the file alone does not say nginx loaded it: a reload nginx refuses keeps the old upstreams), and nginx no
    /// longer counts it failed.
    /// </summary>
    private async Task WaitForUpstreamAsync(int port, int nginx, ProxyAccessLog proxyLog, ProxyTimeline timeline, CancellationToken cancellationToken)
    {
        var configuration = NginxConfiguration;
        var server = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var since = proxyLog.Count;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await File.ReadAllTextAsync(configuration, cancellationToken)).Contains($"server {server} ", StringComparison.Ordinal)
            || OldWorkers(nginx) > 0
            || !proxyLog.Entries.Skip(since).Any(entry => entry.GetProperty("upstream_addr").GetString() == server
                && entry.GetProperty("upstream_status").GetString() is ['2', _, _]))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"nginx answered no request from {server} within 30 s of the replica serving there; nginx error log, last 10 lines:\n"
                    + string.Join('\n', proxyLog.ErrorLog.TakeLast(10)));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        timeline.Note($"nginx answered from {server}");
        // The stop marked the replica failed (max_fails=1), in each worker on its own: a worker tries it again only
        // once fail_timeout (5 s) has passed since its last failure, and the next request that succeeds brings it back.
        await Task.Delay(TimeSpan.FromSeconds(6), cancellationToken);
        timeline.Note($"nginx routes to {server}");
    }

    private string NginxConfiguration => Path.Combine(stack.DataDirectory, "run", "proxy", "conf", "nginx.conf");

    /// <summary>The master's worker processes (not its cache manager or loader, which come and go on their own).</summary>
    private static string Workers(int nginx) =>
        string.Join(' ', LinuxProcess.Children(nginx).Where(child => child.Command.Contains("worker process", StringComparison.Ordinal)).Select(child => child.Pid));

    private static int OldWorkers(int nginx) =>
        LinuxProcess.Children(nginx).Count(child => child.Command.Contains("shutting down", StringComparison.Ordinal));
}
