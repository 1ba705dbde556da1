using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>
/// The live scanner through the product: the deployment grading itself through nginx, a service's environments
/// scanned with findings landing on the open review, de-duplication, the per-user limit, and SSRF refusals.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class ScanTests(StackFixture stack, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_deployment_scans_itself_through_nginx_and_gets_A_plus_with_no_failing_check()
    {
        using var user = await ProductUser.SignUpAsync(stack, "self-scan");
        var scan = await QueueAsync(user, "/api/self/scans", new { });
        var done = await WaitForScanAsync(user, $"/api/self/scans/{scan["id"]}");

        var failing = done["report"]!["findings"]!.AsArray().Where(f => !f!["passed"]!.GetValue<bool>()).Select(f => $"{f!["id"]}: {f["evidence"]}").ToList();
        Assert.True(failing.Count == 0, "failing checks: " + string.Join("; ", failing));
        Assert.Equal("A+", done["scan"]!["grade"]!.GetValue<string>());
        Assert.True(done["scan"]!["score"]!.GetValue<int>() >= 100);
        Assert.Equal(0, done["scan"]!["failedChecks"]!.GetValue<int>());
        Assert.Equal(ProxyClient.HttpsBase(stack.App).AbsoluteUri, done["scan"]!["targetUrl"]!.GetValue<string>());
        // The working is shown: every one of Observatory's tests with its modifier, and the rubric's version.
        var grade = done["report"]!["observatory"]!["grade"]!;
        Assert.Equal(10, grade["modifiers"]!.AsArray().Count);
        Assert.Contains("mdn-http-observatory", grade["rubric"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(done["report"]!["tls"]!["chainTrusted"]!.GetValue<bool>());

        var history = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/self/scans/history"))!.AsArray();
        Assert.Contains(history, point => point!["scanId"]!.GetValue<long>() == scan["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task After_start_the_deployment_scans_itself_unasked_until_a_scan_completes()
    {
        // The services start before the proxy they scan, so the first attempt may fail: the scheduler queues one a
        // minute until a self-scan (its own, or one someone asked for) completes.
        using var user = await ProductUser.SignUpAsync(stack, "self-scan-schedule");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var scans = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/self/scans?pageSize=100"))!["items"]!.AsArray();
            var unasked = scans.Where(scan => scan!["trigger"]!.GetValue<string>() == "SelfScan").ToList();
            var completed = scans.FirstOrDefault(scan => scan!["status"]!.GetValue<string>() == "Completed");
            if (unasked.Count > 0 && completed is not null)
            {
                Assert.Equal("A+", completed["grade"]!.GetValue<string>());
                return;
            }

            Assert.False(timeout.IsCancellationRequested, "no self-scan queued by the scheduler and completed in 3 minutes: " + scans.ToJsonString());
            await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Scans_of_a_services_environments_show_on_its_review_and_a_failing_check_puts_a_done_item_at_risk()
    {
        await using var careless = await CarelessSite.StartAsync();
        using var owner = await ProductUser.SignUpAsync(stack, "scan-owner");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var slug = $"scanned-{Guid.NewGuid():N}"[..20];
        var service = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/services", new
        {
            teamId,
            name = "Scanned",
            slug,
            environments = new object[]
            {
                new { name = "production", baseUrl = ProxyClient.HttpsBase(stack.App).AbsoluteUri },
                new { name = "legacy", baseUrl = careless.Url.AbsoluteUri, profile = "Web" },
            },
            tier = "C",
        }))!;
        var serviceId = service["id"]!.GetValue<string>();
        var review = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{serviceId}/reviews", new { }))!;
        var reviewId = review["id"]!.GetValue<string>();
        // A person marked HTTPS done; the scanner may only ever take that back.
        var https = review["items"]!.AsArray().Single(i => i!["itemId"]!.GetValue<string>() == "SEC-04")!;
        await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{reviewId}/items/SEC-04", new { status = "Done" }, ifMatch: https["etag"]!.GetValue<string>());

        var production = await WaitForScanAsync(owner, $"/api/services/{serviceId}/scans/{(await QueueAsync(owner, $"/api/services/{serviceId}/scans", new { environment = "production" }))["id"]}");
        Assert.Equal("A+", production["scan"]!["grade"]!.GetValue<string>());
        var item = await ItemAsync(owner, reviewId, "SEC-04");
        Assert.Equal("Done", item["status"]!.GetValue<string>());
        var evidence = item["scanFindings"]!.AsArray();
        Assert.NotEmpty(evidence);
        Assert.All(evidence, e => Assert.True(e!["passed"]!.GetValue<bool>(), e["summary"]!.GetValue<string>()));
        Assert.Contains(evidence, e => e!["summary"]!.GetValue<string>().StartsWith($"scan #{production["scan"]!["id"]} of production:", StringComparison.Ordinal));

        var legacyScanId = (await QueueAsync(owner, $"/api/services/{serviceId}/scans", new { environment = "legacy" }))["id"]!.GetValue<long>();
        var legacy = await WaitForScanAsync(owner, $"/api/services/{serviceId}/scans/{legacyScanId}");
        output.WriteLine($"legacy: {legacy["scan"]!["grade"]} {legacy["scan"]!["score"]}, {legacy["scan"]!["failedChecks"]} failing");
        Assert.Equal("F", legacy["scan"]!["grade"]!.GetValue<string>());
        var failing = legacy["report"]!["findings"]!.AsArray().Where(f => !f!["passed"]!.GetValue<bool>()).Select(f => f!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(failing, id => id.Contains("git", StringComparison.Ordinal));
        Assert.Contains(failing, id => id.Contains("env", StringComparison.Ordinal));

        item = await ItemAsync(owner, reviewId, "SEC-04");
        Assert.Equal("AtRisk", item["status"]!.GetValue<string>());
        Assert.StartsWith($"scan #{legacyScanId} of legacy:", item["riskReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(item["scanFindings"]!.AsArray(), e => !e!["passed"]!.GetValue<bool>() && e["environment"]!.GetValue<string>() == "legacy");
        // A change to the item answers with the same findings, in the same order, as the review shows.
        var changed = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{reviewId}/items/SEC-04",
            new { notes = "TLS on legacy is being fixed." }, ifMatch: item["etag"]!.GetValue<string>()))!;
        Assert.Equal(item["scanFindings"]!.ToJsonString(), changed["scanFindings"]!.ToJsonString());
        // Nothing became done by itself: the only item a person touched is the only one not "NotStarted".
        var statuses = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!["items"]!.AsArray()
            .Select(i => i!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(statuses.Count - 1, statuses.Count(s => s == "NotStarted"));

        // The list, the history per environment, and what changed between two scans of the same environment.
        var list = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{serviceId}/scans?pageSize=1"))!;
        Assert.Equal(2, list["total"]!.GetValue<int>());
        Assert.Equal(legacyScanId, Assert.Single(list["items"]!.AsArray())!["id"]!.GetValue<long>());
        var again = await WaitForScanAsync(owner, $"/api/services/{serviceId}/scans/{(await QueueAsync(owner, $"/api/services/{serviceId}/scans", new { environment = "production" }))["id"]}");
        Assert.Equal(production["scan"]!["id"]!.GetValue<long>(), again["changes"]!["previousScanId"]!.GetValue<long>());
        Assert.Equal("Same", again["changes"]!["direction"]!.GetValue<string>());
        Assert.Empty(again["changes"]!["newFailures"]!.AsArray());
        var history = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{serviceId}/scans/history?environment=production"))!.AsArray();
        Assert.Equal(2, history.Count);

        // A list's badges: the latest completed scan of each environment, for many services in one call; a service of
        // another team is left out as if it did not exist.
        using var stranger = await ProductUser.SignUpAsync(stack, "scan-stranger");
        var strangers = (await stranger.CreateServiceAsync((await stranger.CreateTeamAsync())["id"]!.GetValue<string>()))["id"]!.GetValue<string>();
        var latest = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/scans/latest?serviceId={serviceId}&serviceId={strangers}"))!.AsArray();
        Assert.Equal(["legacy", "production"], latest.Select(l => l!["environment"]!.GetValue<string>()));
        Assert.All(latest, l => Assert.Equal(serviceId, l!["serviceId"]!.GetValue<string>()));
        Assert.Equal(again["scan"]!["id"]!.GetValue<long>(), latest[1]!["scanId"]!.GetValue<long>());
        Assert.Equal("A+", latest[1]!["grade"]!.GetValue<string>());
        Assert.Equal(legacyScanId, latest[0]!["scanId"]!.GetValue<long>());
        Assert.Equal("F", latest[0]!["grade"]!.GetValue<string>());
        Assert.Empty((await stranger.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/scans/latest?serviceId={serviceId}"))!.AsArray());
        await owner.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/scans/latest");

        // The pipeline's gate: the scan passes B, the review (one item of many done, now at risk) does not meet tier C.
        var gate = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/gate?service={slug}&environment=production&minimumGrade=B"))!;
        Assert.False(gate["passed"]!.GetValue<bool>());
        Assert.True(gate["scan"]!["passed"]!.GetValue<bool>());
        Assert.False(gate["review"]!["passed"]!.GetValue<bool>());
        var legacyGate = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/gate?service={slug}&environment=legacy&minimumGrade=D"))!;
        Assert.False(legacyGate["scan"]!["passed"]!.GetValue<bool>());

        // What the scanner recorded about the service is in its team's history (the team's audit chain), as what a
        // person records is.
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var events = new NpgsqlCommand("""SELECT "Action", "TeamId" FROM "AuditEvents" WHERE "ServiceId" = @service AND "ActorId" IS NULL""", connection);
        events.Parameters.AddWithValue("service", Guid.Parse(serviceId));
        var recorded = new List<(string Action, Guid? TeamId)>();
        await using (var reader = await events.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                recorded.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1)));
            }
        }

        Assert.Equal(3, recorded.Count(e => e.Action == "scan.completed"));
        Assert.Single(recorded, e => e.Action == "review.item.at-risk");
        Assert.All(recorded, e => Assert.Equal(Guid.Parse(teamId), e.TeamId));
    }

    [Fact]
    public async Task A_scan_of_a_url_that_is_none_of_the_services_environments_is_graded_but_leaves_its_review_and_badges_alone()
    {
        await using var careless = await CarelessSite.StartAsync();
        using var owner = await ProductUser.SignUpAsync(stack, "adhoc-owner");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        // "adhoc" files those scans: no environment may take the name.
        var refused = (await owner.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/services", new
        {
            teamId,
            name = "Named adhoc",
            slug = $"adhoc-{Guid.NewGuid():N}"[..20],
            environments = new object[] { new { name = "adhoc", baseUrl = careless.Url.AbsoluteUri } },
        }))!;
        Assert.Contains("adhoc", refused["errors"]!.ToJsonString(), StringComparison.Ordinal);
        var serviceId = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/services", new
        {
            teamId,
            name = "Scanned elsewhere",
            slug = $"elsewhere-{Guid.NewGuid():N}"[..20],
            environments = new object[] { new { name = "production", baseUrl = ProxyClient.HttpsBase(stack.App).AbsoluteUri } },
            tier = "C",
        }))!["id"]!.GetValue<string>();
        var review = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{serviceId}/reviews", new { }))!;
        var reviewId = review["id"]!.GetValue<string>();
        var https = review["items"]!.AsArray().Single(i => i!["itemId"]!.GetValue<string>() == "SEC-04")!;
        await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{reviewId}/items/SEC-04", new { status = "Done" }, ifMatch: https["etag"]!.GetValue<string>());

        var scans = $"/api/services/{serviceId}/scans";
        var scan = await WaitForScanAsync(owner, $"{scans}/{(await QueueAsync(owner, scans, new { url = careless.Url.AbsoluteUri }))["id"]}");

        Assert.Equal("adhoc", scan["scan"]!["environment"]!.GetValue<string>());
        Assert.Equal("F", scan["scan"]!["grade"]!.GetValue<string>());
        var item = await ItemAsync(owner, reviewId, "SEC-04");
        Assert.Equal("Done", item["status"]!.GetValue<string>());
        Assert.Empty(item["scanFindings"]!.AsArray());
        Assert.Empty((await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/scans/latest?serviceId={serviceId}"))!.AsArray());
        Assert.Equal(1, (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, scans))!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_environment_taken_off_the_service_takes_its_scans_findings_off_the_open_review()
    {
        await using var careless = await CarelessSite.StartAsync();
        using var owner = await ProductUser.SignUpAsync(stack, "env-removed");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var production = new { name = "production", baseUrl = ProxyClient.HttpsBase(stack.App).AbsoluteUri, profile = "Web" };
        var created = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/services", new
        {
            teamId,
            name = "Moving",
            slug = $"moving-{Guid.NewGuid():N}"[..20],
            environments = new object[] { production, new { name = "legacy", baseUrl = careless.Url.AbsoluteUri, profile = "Web" } },
            tier = "C",
        }))!;
        var serviceId = created["id"]!.GetValue<string>();
        var reviewId = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{serviceId}/reviews", new { }))!["id"]!.GetValue<string>();
        var scans = $"/api/services/{serviceId}/scans";
        await WaitForScanAsync(owner, $"{scans}/{(await QueueAsync(owner, scans, new { environment = "legacy" }))["id"]}");
        Assert.Contains((await ItemAsync(owner, reviewId, "SEC-04"))["scanFindings"]!.AsArray(), e => e!["environment"]!.GetValue<string>() == "legacy");

        await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/services/{serviceId}",
            new { name = "Moving", environments = new object[] { production }, tier = "C" }, ifMatch: created["etag"]!.GetValue<string>());

        var review = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!;
        var environments = review["items"]!.AsArray().SelectMany(i => i!["scanFindings"]!.AsArray()).Select(e => e!["environment"]!.GetValue<string>());
        Assert.DoesNotContain("legacy", environments);
    }

    [Fact]
    public async Task A_scan_of_a_target_already_being_scanned_answers_with_that_scan()
    {
        await using var slow = await CarelessSite.StartAsync(slowPageDelay: TimeSpan.FromSeconds(4));
        using var user = await ProductUser.SignUpAsync(stack, "dedup");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await user.CreateServiceAsync(teamId);
        var scans = $"/api/services/{service["id"]}/scans";

        using var first = await user.SendAsync(HttpMethod.Post, scans, new { url = slow.Url.AbsoluteUri });
        using var second = await user.SendAsync(HttpMethod.Post, scans, new { url = slow.Url.AbsoluteUri });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstId = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
        Assert.Equal(firstId, JsonNode.Parse(await second.Content.ReadAsStringAsync())!["id"]!.GetValue<long>());
        Assert.EndsWith($"/scans/{firstId}", first.Headers.Location!.OriginalString, StringComparison.Ordinal);
        // Asked for as an API meanwhile: not that scan, which grades a web page, but a conflict that says so.
        var asApi = (await user.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, scans, new { url = slow.Url.AbsoluteUri, profile = "Api" }))!;
        Assert.Contains($"as a web page is queued or running (scan #{firstId})", asApi["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await WaitForScanAsync(user, $"{scans}/{firstId}");
    }

    [Fact]
    public async Task Two_teams_scanning_the_same_target_at_once_each_get_a_scan_of_their_own()
    {
        await using var slow = await CarelessSite.StartAsync(slowPageDelay: TimeSpan.FromSeconds(4));
        using var first = await ProductUser.SignUpAsync(stack, "shared-target-a");
        using var second = await ProductUser.SignUpAsync(stack, "shared-target-b");
        var firstScans = $"/api/services/{(await first.CreateServiceAsync((await first.CreateTeamAsync())["id"]!.GetValue<string>()))["id"]}/scans";
        var secondScans = $"/api/services/{(await second.CreateServiceAsync((await second.CreateTeamAsync())["id"]!.GetValue<string>()))["id"]}/scans";

        using var firstAnswer = await first.SendAsync(HttpMethod.Post, firstScans, new { url = slow.Url.AbsoluteUri });
        using var secondAnswer = await second.SendAsync(HttpMethod.Post, secondScans, new { url = slow.Url.AbsoluteUri });

        // Not the other team's scan (its id, service and environment): one of its own, listed on its own service.
        Assert.Equal(HttpStatusCode.Accepted, firstAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, secondAnswer.StatusCode);
        var firstId = JsonNode.Parse(await firstAnswer.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
        var secondId = JsonNode.Parse(await secondAnswer.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
        Assert.NotEqual(firstId, secondId);
        var secondList = (await second.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, secondScans))!["items"]!.AsArray();
        Assert.Equal([secondId], secondList.Select(scan => scan!["id"]!.GetValue<long>()));
        await WaitForScanAsync(first, $"{firstScans}/{firstId}");
        await WaitForScanAsync(second, $"{secondScans}/{secondId}");
    }

    [Theory]
    [InlineData("http://10.0.0.1/", "10.0.0.1")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    // IPv6: AWS's metadata address, unique-local. (Loopback is allowed in a local run; Scanner.Tests refuse it.)
    [InlineData("http://[fd00:ec2::254]/", "fd00:ec2::254")]
    public async Task Targets_the_scanner_may_not_reach_fail_with_the_reason_and_no_grade(string url, string reason)
    {
        using var user = await ProductUser.SignUpAsync(stack, "ssrf");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await user.CreateServiceAsync(teamId);
        var scans = $"/api/services/{service["id"]}/scans";
        var scan = await QueueAsync(user, scans, new { url });
        var done = await WaitForScanAsync(user, $"{scans}/{scan["id"]}", expectedStatus: "Failed");
        var error = done["scan"]!["error"]!.GetValue<string>();
        output.WriteLine(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Null(done["scan"]!["grade"]);
    }

    [Fact]
    public async Task Each_user_may_queue_a_limited_number_of_scans_a_minute()
    {
        using var user = await ProductUser.SignUpAsync(stack, "scan-limit");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await user.CreateServiceAsync(teamId);
        var scans = $"/api/services/{service["id"]}/scans";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= StackFixture.ScansPerUserPerMinute; i++)
        {
            // A loopback port nobody listens on: each scan fails at once, and nothing leaves the machine.
            using var response = await user.SendAsync(HttpMethod.Post, scans, new { url = "http://127.0.0.1:1/" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(StackFixture.ScansPerUserPerMinute));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        // Another user is not held back by the first one's scans.
        using var other = await ProductUser.SignUpAsync(stack, "scan-limit-other");
        using var allowed = await other.SendAsync(HttpMethod.Post, "/api/self/scans", new { });
        Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
    }

    [Fact]
    public async Task A_scan_queued_for_a_service_deleted_meanwhile_is_told_404_not_500()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "late-scanner");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var serviceId = Guid.Parse((await owner.CreateServiceAsync(teamId))["id"]!.GetValue<string>());
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // The scan's insert waits on the service's row, which a delete holds and then commits.
        using var answer = await DatabaseLocks.RacedByDeleteAsync(connection, "Services", serviceId,
            () => owner.SendAsync(HttpMethod.Post, $"/api/services/{serviceId}/scans", new { environment = "production" }));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    internal static async Task<JsonNode> QueueAsync(ProductUser user, string path, object body)
    {
        using var response = await user.SendAsync(HttpMethod.Post, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    internal static async Task<JsonNode> WaitForScanAsync(ProductUser user, string path, string expectedStatus = "Completed")
    {
        using var timeout = new CancellationTokenSource(ScanTimeout);
        while (true)
        {
            var scan = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path))!;
            var status = scan["scan"]!["status"]!.GetValue<string>();
            if (status is "Completed" or "Failed")
            {
                Assert.True(status == expectedStatus, $"{path} {status}: {scan["scan"]!["error"]}");
                return scan;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
        }
    }

    private static async Task<JsonNode> ItemAsync(ProductUser user, string reviewId, string itemId) =>
        (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!["items"]!.AsArray().Single(i => i!["itemId"]!.GetValue<string>() == itemId)!;
}
