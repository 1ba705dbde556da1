using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>Conditional writes, idempotent creates, reads that follow writes on every replica, and hostile input.</summary>
[Collection(StackTestGroup.Name)]
public sealed class HttpBehaviourTests(StackFixture stack)
{
    private static readonly string[] s_read = ["read"];
    private static readonly string[] s_readWrite = ["read", "write"];
    private static readonly string[] s_badTags = ["Bad Tag"];

    [Fact]
    public async Task Changes_need_if_match_428_without_it_and_412_when_someone_changed_the_resource_first()
    {
        using var user = await ProductUser.SignUpAsync(stack, "concurrent");
        var service = await user.CreateServiceAsync((await user.CreateTeamAsync())["id"]!.GetValue<string>());
        var path = $"/api/services/{service["id"]}";
        var original = service["etag"]!.GetValue<string>();

        await user.ExpectAsync(HttpStatusCode.PreconditionRequired, HttpMethod.Put, path, new { name = "A", tier = "A" });
        var first = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, path, new { name = "First", tier = "A" }, ifMatch: original))!;
        await user.ExpectAsync(HttpStatusCode.PreconditionFailed, HttpMethod.Put, path, new { name = "Second", tier = "A" }, ifMatch: original);
        await user.ExpectAsync(HttpStatusCode.PreconditionFailed, HttpMethod.Delete, path, ifMatch: original);

        var current = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path))!;
        Assert.Equal("First", current["name"]!.GetValue<string>());
        Assert.Equal(first["etag"]!.GetValue<string>(), current["etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_retried_create_with_the_same_idempotency_key_creates_one_service_and_replays_the_answer()
    {
        using var user = await ProductUser.SignUpAsync(stack, "retrier");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var body = new { teamId, name = "Once", slug = $"once-{Guid.NewGuid():N}"[..20] };
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

        using var first = await user.SendAsync(HttpMethod.Post, "/api/services", body, headers: key);
        using var retry = await user.SendAsync(HttpMethod.Post, "/api/services", body, headers: key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(JsonNode.Parse(await first.Content.ReadAsStringAsync())!["id"]!.GetValue<string>(), JsonNode.Parse(await retry.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());

        await user.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, "/api/services", body with { name = "Different" }, headers: key);
        var list = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services?teamId={teamId}"))!;
        Assert.Equal(1, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Idempotent_creates_waiting_at_once_on_one_replica_hold_one_connection_each_and_every_one_is_made()
    {
        // A replica's pool has 8 connections (Database:MaxPoolSize). Held a second connection each, 8 creates waiting
        // at once could hold at most 4 of them in PostgreSQL; with one each, nearly all of them wait there.
        const int Creates = 8;
        const int WaitingInPostgres = 6;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var replica = (await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token))[0];
        using var user = await ProductUser.SignUpAsync(stack, "pool-sharer");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var token = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "pool", scopes = s_readWrite }))!["token"]!.GetValue<string>();
        // The replica's own port: through the proxy, the creates would be spread over the replicas.
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{replica.EnvironmentPort("REPLICA_HTTP_PORT")}"), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync(timeout.Token);

        // Each create waits on the team's row (its service's foreign key) until the test lets it go.
        await using var holding = await connection.BeginTransactionAsync(timeout.Token);
        await using (var hold = new NpgsqlCommand("""SELECT 1 FROM "Teams" WHERE "Id" = @id FOR UPDATE""", connection, holding))
        {
            hold.Parameters.AddWithValue("id", Guid.Parse(teamId));
            await hold.ExecuteNonQueryAsync(timeout.Token);
        }

        var creates = Enumerable.Range(0, Creates).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/services")
            {
                Content = JsonContent.Create(new { teamId, name = $"Pooled {i}", slug = $"pooled-{i}-{Guid.NewGuid():N}"[..20] }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            return await client.SendAsync(request, timeout.Token);
        }).ToList();
        try
        {
            await DatabaseLocks.WaitForWaitersAsync(connection, holding, WaitingInPostgres);
        }
        finally
        {
            await holding.CommitAsync(CancellationToken.None);
        }

        var answers = await Task.WhenAll(creates);
        var statuses = answers.Select(answer => answer.StatusCode).ToList();
        foreach (var answer in answers)
        {
            answer.Dispose();
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Created, status));
    }

    [Fact]
    public async Task A_key_whose_request_ended_without_an_answer_runs_on_the_retry_and_keys_past_their_day_are_deleted()
    {
        using var user = await ProductUser.SignUpAsync(stack, "abandoned-key");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var body = new { teamId, name = "Retried", slug = $"retried-{Guid.NewGuid():N}"[..20] };
        var abandoned = Guid.NewGuid().ToString();
        var expired = Guid.NewGuid().ToString();
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        // What a request leaves whose replica was killed mid-way: its key, not completed, and no session holding it.
        // Beside it, a key answered two days ago.
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO "IdempotencyKeys" ("UserId", "Key", "RequestHash", "StatusCode", "Completed", "CreatedAt")
            VALUES (@user, @abandoned, repeat('0', 64), 0, false, now()), (@user, @expired, repeat('0', 64), 201, true, now() - interval '2 days')
            """, connection))
        {
            insert.Parameters.AddWithValue("user", user.Id);
            insert.Parameters.AddWithValue("abandoned", abandoned);
            insert.Parameters.AddWithValue("expired", expired);
            await insert.ExecuteNonQueryAsync();
        }

        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = abandoned };
        using (var retried = await user.SendAsync(HttpMethod.Post, "/api/services", body, headers: headers))
        {
            Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        }

        using (var again = await user.SendAsync(HttpMethod.Post, "/api/services", body, headers: headers))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
            Assert.Equal("true", Assert.Single(again.Headers.GetValues("Idempotent-Replayed")));
        }

        Assert.Equal(1, (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services?teamId={teamId}"))!["total"]!.GetValue<int>());
        await using var left = new NpgsqlCommand("""SELECT count(*) FROM "IdempotencyKeys" WHERE "UserId" = @user AND "Key" = @expired""", connection);
        left.Parameters.AddWithValue("user", user.Id);
        left.Parameters.AddWithValue("expired", expired);
        Assert.Equal(0L, await left.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_retry_while_the_first_request_with_its_key_still_runs_is_409_and_the_first_one_creates()
    {
        using var user = await ProductUser.SignUpAsync(stack, "running-key");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var body = new { teamId, name = "Running", slug = $"running-{Guid.NewGuid():N}"[..20] };
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

        // Hold the team's audit chain: the first create waits in it to record its event.
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""SELECT pg_advisory_xact_lock(hashtext('AuditEvents'), hashtext(@team))""", connection, holding))
        {
            hold.Parameters.AddWithValue("team", teamId);
            await hold.ExecuteNonQueryAsync();
        }

        var first = user.SendAsync(HttpMethod.Post, "/api/services", body, headers: headers);
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 1);
        await user.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/services", body, headers: headers);
        await holding.CommitAsync();

        using (var created = await first)
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal(1, (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services?teamId={teamId}"))!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_write_through_one_replica_is_seen_on_the_next_read_from_the_other()
    {
        using var user = await ProductUser.SignUpAsync(stack, "replicas");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var token = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "replicas", scopes = s_readWrite }))!["token"]!.GetValue<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var replicas = await stack.App.WaitForServingReplicasAsync("webapi", 2, timeout.Token);
        var ports = replicas.Select(r => r.EnvironmentPort("REPLICA_HTTP_PORT")!.Value).ToList();

        using var client = new HttpClient();
        async Task<JsonNode> ListAsync(int port)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/services?teamId={teamId}");
            request.Headers.Authorization = new("Bearer", token);
            // As the proxy would forward it: the replicas trust 127.0.0.1 to say the client used HTTPS.
            request.Headers.Add("X-Forwarded-Proto", "https");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        // Both replicas cache the (empty) list.
        foreach (var port in ports)
        {
            Assert.Equal(0, (await ListAsync(port))["total"]!.GetValue<int>());
            Assert.Equal(0, (await ListAsync(port))["total"]!.GetValue<int>());
        }

        for (var round = 0; round < 3; round++)
        {
            var writer = ports[round % 2];
            var reader = ports[(round + 1) % 2];
            using var create = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{writer}/api/services")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { teamId, name = $"Round {round}", slug = $"round-{round}-{Guid.NewGuid():N}"[..20] }),
            };
            create.Headers.Authorization = new("Bearer", token);
            create.Headers.Add("X-Forwarded-Proto", "https");
            using var created = await client.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            Assert.Equal(round + 1, (await ListAsync(reader))["total"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Hostile_input_gets_a_clear_4xx_problem_and_changes_nothing()
    {
        using var user = await ProductUser.SignUpAsync(stack, "hostile");
        var service = await user.CreateServiceAsync((await user.CreateTeamAsync())["id"]!.GetValue<string>());
        var path = $"/api/services/{service["id"]}";
        var etag = service["etag"]!.GetValue<string>();
        var before = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path))!.ToJsonString();

        foreach (var (body, field) in new (string Body, string Field)[]
        {
            ("{\"name\":", "$"),
            ("{\"name\": 42, \"tier\": \"A\"}", "$.name"),
            ("{\"name\": \"x\", \"tier\": \"Z\"}", "$.tier"),
            ("{\"name\": \"x\", \"tier\": \"A\", \"teamId\": \"x\", \"isAdmin\": true}", "$.teamId"),
            ("[1,2,3]", "$"),
        })
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            var problem = await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, path, ifMatch: etag, content: content);
            Assert.StartsWith("The JSON body is invalid at", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var invalid = await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, path,
            new { name = new string('x', 100_000), tier = "A", repositoryUrl = "javascript:alert(1)", tags = s_badTags, environments = new[] { new { name = "prod", baseUrl = "file:///etc/passwd" } } }, ifMatch: etag);
        var errors = invalid!["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("Name", errors);
        Assert.Contains("RepositoryUrl", errors);
        Assert.Contains("Tags", errors);
        Assert.Contains(errors, e => e.Contains("BaseUrl", StringComparison.Ordinal));

        await user.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/services/not-a-guid");
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/services?pageSize=100000");
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/services?sort=password");
        // Control characters, which the list's cache would refuse as a key (an error in the log for each request).
        var search = await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/services?search=a%01b");
        Assert.Equal("The search cannot hold control characters.", search!["errors"]!["Search"]![0]!.GetValue<string>());
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/services?tag=payments%0A");

        Assert.Equal(before, (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path))!.ToJsonString());
    }

    [Fact]
    public async Task Text_with_a_nul_character_answers_400_and_changes_nothing()
    {
        // bench/wapiti found it: PostgreSQL refuses NUL in text ("invalid byte sequence for encoding UTF8: 0x00"), and
        // confirm-email answered 500 to wapiti's userId "/e%00"; a NUL in any text that reached a query or a row did too.
        using var user = await ProductUser.SignUpAsync(stack, "nul");
        var service = await user.CreateServiceAsync((await user.CreateTeamAsync())["id"]!.GetValue<string>());
        var path = $"/api/services/{service["id"]}";
        var before = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path))!.ToJsonString();

        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/account/confirm-email?userId=%2Fe%00&code=wapiti");
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/services?search=a%00b");
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, path, new { name = "nul\0name", tier = "A" }, ifMatch: service["etag"]!.GetValue<string>());

        Assert.Equal(before, (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path))!.ToJsonString());
    }
}
