using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>Who may do what: team roles, other teams, tokens and their scopes, and forged browser requests.</summary>
[Collection(StackTestGroup.Name)]
public sealed class AccessTests(StackFixture stack)
{
    private static readonly string[] s_read = ["read"];
    private static readonly string[] s_readWrite = ["read", "write"];

    [Fact]
    public async Task Viewers_read_maintainers_edit_owners_manage_and_delete()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "owner");
        using var maintainer = await ProductUser.SignUpAsync(stack, "maintainer");
        using var viewer = await ProductUser.SignUpAsync(stack, "viewer");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        await owner.AddMemberAsync(teamId, maintainer, "Maintainer");
        await owner.AddMemberAsync(teamId, viewer, "Viewer");
        var again = (await owner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = viewer.Email, role = "Owner" }))!;
        Assert.Equal("The user is already a member of the team.", again["detail"]!.GetValue<string>());
        // An address signed up but never confirmed (by anyone who typed it) joins no team: answered as an unknown one.
        using var squatter = await ProductUser.AnonymousAsync(stack);
        var unconfirmed = $"unconfirmed-{Guid.NewGuid():N}@example.com";
        await squatter.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/sign-up", new { email = unconfirmed, password = ProductUser.Password });
        var refused = (await owner.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = unconfirmed, role = "Viewer" }))!;
        var unknown = (await owner.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = $"nobody-{Guid.NewGuid():N}@example.com", role = "Viewer" }))!;
        Assert.Equal(unknown["errors"]!.ToJsonString(), refused["errors"]!.ToJsonString());
        var service = await owner.CreateServiceAsync(teamId);
        var path = $"/api/services/{service["id"]}";
        var etag = service["etag"]!.GetValue<string>();

        // Viewer: reads everything, changes nothing.
        await viewer.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, path);
        await viewer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Put, path, new { name = "x", tier = "A" }, ifMatch: etag);
        await viewer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, $"{path}/reviews", new { });
        await viewer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, "/api/services", new { teamId, name = "x", slug = "viewer-made" });

        // Maintainer: edits and reviews, but neither deletes nor manages members.
        var updated = (await maintainer.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, path, new { name = "Renamed", tier = "C" }, ifMatch: etag))!;
        var review = (await maintainer.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"{path}/reviews", new { }))!;
        var item = review["items"]![0]!;
        await viewer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Patch, $"/api/reviews/{review["id"]}/items/{item["itemId"]}", new { status = "Done" }, ifMatch: item["etag"]!.GetValue<string>());
        await maintainer.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{review["id"]}/items/{item["itemId"]}", new { status = "Done" }, ifMatch: item["etag"]!.GetValue<string>());
        await maintainer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Delete, path, ifMatch: updated["etag"]!.GetValue<string>());
        await maintainer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = viewer.Email, role = "Owner" });

        // Owner: deletes; the service is gone for everyone and its history stays.
        await owner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, path, ifMatch: updated["etag"]!.GetValue<string>());
        await viewer.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, path);
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("""SELECT count(*) FROM "AuditEvents" WHERE "ServiceId" = @id""", connection);
        count.Parameters.AddWithValue("id", Guid.Parse(service["id"]!.GetValue<string>()));
        Assert.Equal(5L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_locations_of_an_added_member_and_a_new_token_answer_a_get_to_whom_may_see_them()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "location-owner");
        using var member = await ProductUser.SignUpAsync(stack, "location-member");
        using var outsider = await ProductUser.SignUpAsync(stack, "location-outsider");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();

        string memberLocation;
        using (var added = await owner.SendAsync(HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = member.Email, role = "Viewer" }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            memberLocation = added.Headers.Location!.OriginalString;
        }

        var shown = (await member.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, memberLocation))!;
        Assert.Equal(member.Email, shown["email"]!.GetValue<string>());
        Assert.Equal("Viewer", shown["role"]!.GetValue<string>());
        await outsider.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, memberLocation);
        await owner.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/teams/{teamId}/members/{outsider.Id}");

        string tokenLocation;
        using (var created = await owner.SendAsync(HttpMethod.Post, "/api/account/tokens", new { name = "located", scopes = s_read }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            tokenLocation = created.Headers.Location!.OriginalString;
        }

        var token = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, tokenLocation))!;
        Assert.Equal("located", token["name"]!.GetValue<string>());
        Assert.False(token.AsObject().ContainsKey("token"), "the secret is shown once, at creation");
        await member.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, tokenLocation);
    }

    [Fact]
    public async Task Two_owners_leaving_at_once_leave_one_owner_not_none()
    {
        using var first = await ProductUser.SignUpAsync(stack, "first-owner");
        using var second = await ProductUser.SignUpAsync(stack, "second-owner");
        var teamId = (await first.CreateTeamAsync())["id"]!.GetValue<string>();
        await first.AddMemberAsync(teamId, second, "Owner");
        var members = (await first.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/teams/{teamId}"))!["members"]!.AsArray();
        string ETagOf(ProductUser user) => members.Single(m => m!["userId"]!.GetValue<string>() == user.Id)!["etag"]!.GetValue<string>();

        // Hold both owners' rows, so each request has read the team (two owners) before either can write: the
        // interleaving in which each counts the other as staying.
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""SELECT 1 FROM "TeamMembers" WHERE "TeamId" = @team FOR UPDATE""", connection, holding))
        {
            hold.Parameters.AddWithValue("team", Guid.Parse(teamId));
            await hold.ExecuteNonQueryAsync();
        }

        var leaving = new[]
        {
            first.SendAsync(HttpMethod.Delete, $"/api/teams/{teamId}/members/{first.Id}", ifMatch: ETagOf(first)),
            second.SendAsync(HttpMethod.Delete, $"/api/teams/{teamId}/members/{second.Id}", ifMatch: ETagOf(second)),
        };
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 2);
        await holding.CommitAsync();
        var answers = await Task.WhenAll(leaving);
        var statuses = answers.Select(answer => answer.StatusCode).Order().ToArray();
        foreach (var answer in answers)
        {
            answer.Dispose();
        }

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.Conflict], statuses);
        await using var owners = new NpgsqlCommand("""SELECT count(*) FROM "TeamMembers" WHERE "TeamId" = @team AND "Role" = 'Owner'""", connection);
        owners.Parameters.AddWithValue("team", Guid.Parse(teamId));
        Assert.Equal(1L, await owners.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_team_holds_at_most_200_members_and_of_two_additions_for_the_last_place_at_once_one_is_made()
    {
        const int MaxMembers = 200;
        using var owner = await ProductUser.SignUpAsync(stack, "recruiter");
        using var first = await ProductUser.SignUpAsync(stack, "last-place-a");
        using var second = await ProductUser.SignUpAsync(stack, "last-place-b");
        var teamId = Guid.Parse((await owner.CreateTeamAsync())["id"]!.GetValue<string>());
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // 198 more, with the owner 199: people written directly, as signing them up would take minutes of its rate limit.
        var seededDomain = $"{Guid.NewGuid():N}.seeded.invalid";
        await using (var seed = new NpgsqlCommand("""
            WITH people AS (
                INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                                           "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                SELECT id, address, upper(address), address, upper(address), true, false, false, true, 0
                FROM (SELECT gen_random_uuid()::text AS id, 'member' || n || '@' || @domain AS address FROM generate_series(1, @count) AS n) AS made
                RETURNING "Id")
            INSERT INTO "TeamMembers" ("TeamId", "UserId", "Role", "AddedAt") SELECT @team, "Id", 'Viewer', now() FROM people
            """, connection))
        {
            seed.Parameters.AddWithValue("domain", seededDomain);
            seed.Parameters.AddWithValue("count", MaxMembers - 2);
            seed.Parameters.AddWithValue("team", teamId);
            await seed.ExecuteNonQueryAsync();
        }

        try
        {
            // Two additions for the last place, held on the team's row until both wait there.
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], await DatabaseLocks.StatusesOfLinedUpAsync(
                connection, """SELECT 1 FROM "Teams" WHERE "Id" = @id FOR UPDATE""", teamId,
                () => owner.SendAsync(HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = first.Email, role = "Viewer" }),
                () => owner.SendAsync(HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = second.Email, role = "Viewer" })));
            var team = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/teams/{teamId}"))!;
            Assert.Equal(MaxMembers, team["members"]!.AsArray().Count);

            // Full: refused with the reason, and the refusal is not written in the team's history.
            var added = team["members"]!.AsArray().Single(m => m!["email"]!.GetValue<string>() is var email && (email == first.Email || email == second.Email))!;
            var waiting = added["email"]!.GetValue<string>() == first.Email ? second : first;
            var full = (await owner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = waiting.Email, role = "Viewer" }))!;
            Assert.Equal($"The team has {MaxMembers} members, the most a team may have; remove one to add another.", full["detail"]!.GetValue<string>());
            // Someone already in is told so, full team or not.
            var already = (await owner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = added["email"]!.GetValue<string>(), role = "Owner" }))!;
            Assert.Equal("The user is already a member of the team.", already["detail"]!.GetValue<string>());
            await using (var additions = new NpgsqlCommand("""SELECT count(*) FROM "AuditEvents" WHERE "TeamId" = @team AND "Action" = 'member.added'""", connection))
            {
                additions.Parameters.AddWithValue("team", teamId);
                Assert.Equal(1L, await additions.ExecuteScalarAsync());
            }

            // A member who leaves frees their place.
            await owner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/teams/{teamId}/members/{added["userId"]}", ifMatch: added["etag"]!.GetValue<string>());
            await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = waiting.Email, role = "Viewer" });
        }
        finally
        {
            // The seeded people go, and their memberships with them: the stack is shared.
            await using var forget = new NpgsqlCommand("""DELETE FROM "AspNetUsers" WHERE "NormalizedEmail" LIKE @pattern""", connection);
            forget.Parameters.AddWithValue("pattern", $"%@{seededDomain.ToUpperInvariant()}");
            await forget.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_person_belongs_to_at_most_100_teams_and_of_two_creations_for_the_last_place_at_once_one_is_made()
    {
        const int MaxTeams = 100;
        using var joiner = await ProductUser.SignUpAsync(stack, "joiner-of-many");
        using var recruiter = await ProductUser.SignUpAsync(stack, "recruiter-of-many");
        var recruitingTeamId = (await recruiter.CreateTeamAsync())["id"]!.GetValue<string>();
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // Teams written directly up to one place short of the limit (a local run's demo team is one already):
        // creating them by the API would take minutes of its rate limit.
        var seededSlugs = $"seeded-{Guid.NewGuid():N}"[..20];
        await using (var seed = new NpgsqlCommand("""
            WITH made AS (
                INSERT INTO "Teams" ("Id", "Name", "Slug", "CreatedAt")
                SELECT gen_random_uuid(), 'Seeded ' || n, @slugs || '-' || n, now()
                FROM generate_series(1, @max - 1 - (SELECT count(*) FROM "TeamMembers" WHERE "UserId" = @user)) AS n
                RETURNING "Id")
            INSERT INTO "TeamMembers" ("TeamId", "UserId", "Role", "AddedAt") SELECT "Id", @user, 'Owner', now() FROM made
            """, connection))
        {
            seed.Parameters.AddWithValue("slugs", seededSlugs);
            seed.Parameters.AddWithValue("max", MaxTeams);
            seed.Parameters.AddWithValue("user", joiner.Id);
            await seed.ExecuteNonQueryAsync();
        }

        try
        {
            // Two creations for the last place, held on the person's row until both wait there.
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], await DatabaseLocks.StatusesOfLinedUpAsync(
                connection, """SELECT 1 FROM "AspNetUsers" WHERE "Id" = @id FOR UPDATE""", joiner.Id,
                () => joiner.SendAsync(HttpMethod.Post, "/api/teams", new { name = "Last place A", slug = $"last-a-{Guid.NewGuid():N}"[..20] }),
                () => joiner.SendAsync(HttpMethod.Post, "/api/teams", new { name = "Last place B", slug = $"last-b-{Guid.NewGuid():N}"[..20] })));
            var teams = (await joiner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/teams"))!.AsArray();
            Assert.Equal(MaxTeams, teams.Count);

            // Full: neither a creation nor an addition by someone else makes a 101st membership.
            var creation = (await joiner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/teams", new { name = "One more", slug = $"more-{Guid.NewGuid():N}"[..20] }))!;
            Assert.Equal($"You belong to {MaxTeams} teams, the most one person may; leave one to create another.", creation["detail"]!.GetValue<string>());
            var addition = (await recruiter.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/teams/{recruitingTeamId}/members", new { email = joiner.Email, role = "Viewer" }))!;
            Assert.Equal($"The person belongs to {MaxTeams} teams, the most one person may; they must leave one first.", addition["detail"]!.GetValue<string>());
            await using (var memberships = new NpgsqlCommand("""SELECT count(*) FROM "TeamMembers" WHERE "UserId" = @user""", connection))
            {
                memberships.Parameters.AddWithValue("user", joiner.Id);
                Assert.Equal((long)MaxTeams, await memberships.ExecuteScalarAsync());
            }

            // A team the person deletes frees its place.
            var seededTeam = teams.First(t => t!["slug"]!.GetValue<string>().StartsWith(seededSlugs, StringComparison.Ordinal))!;
            await joiner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/teams/{seededTeam["id"]}", ifMatch: seededTeam["etag"]!.GetValue<string>());
            await recruiter.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/teams/{recruitingTeamId}/members", new { email = joiner.Email, role = "Viewer" });
        }
        finally
        {
            // The seeded teams go, and their memberships with them: the stack is shared.
            await using var forget = new NpgsqlCommand("""DELETE FROM "Teams" WHERE "Slug" LIKE @pattern""", connection);
            forget.Parameters.AddWithValue("pattern", $"{seededSlugs}-%");
            await forget.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_member_added_to_a_team_deleted_meanwhile_is_told_404_not_500()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "late-recruiter");
        using var joiner = await ProductUser.SignUpAsync(stack, "late-joiner");
        var teamId = Guid.Parse((await owner.CreateTeamAsync())["id"]!.GetValue<string>());
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // The addition has read the owner's role and waits on the team's row, which a delete holds and then commits.
        using var answer = await DatabaseLocks.RacedByDeleteAsync(connection, "Teams", teamId,
            () => owner.SendAsync(HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = joiner.Email, role = "Viewer" }));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_service_registered_to_a_team_deleted_meanwhile_is_told_404_not_500_and_nothing_is_saved()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "late-registrar");
        var teamId = Guid.Parse((await owner.CreateTeamAsync())["id"]!.GetValue<string>());
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // The registration has read the owner's role and waits on the team's row, which a delete holds and then commits.
        using var answer = await DatabaseLocks.RacedByDeleteAsync(connection, "Teams", teamId, () => owner.SendAsync(HttpMethod.Post, "/api/services", new
        {
            teamId,
            name = "Orphan",
            slug = $"svc-{Guid.NewGuid():N}"[..20],
        }));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        await using var recorded = new NpgsqlCommand("""SELECT count(*) FROM "AuditEvents" WHERE "Action" = 'service.created' AND "TeamId" = @id""", connection);
        recorded.Parameters.AddWithValue("id", teamId);
        Assert.Equal(0L, await recorded.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_team_is_deleted_by_an_owner_once_it_owns_no_services_and_is_gone_for_its_members()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "team-closer");
        using var maintainer = await ProductUser.SignUpAsync(stack, "team-closer-maintainer");
        var team = await owner.CreateTeamAsync();
        var teamPath = $"/api/teams/{team["id"]}";
        var teamETag = team["etag"]!.GetValue<string>();
        await owner.AddMemberAsync(team["id"]!.GetValue<string>(), maintainer, "Maintainer");
        var service = await owner.CreateServiceAsync(team["id"]!.GetValue<string>());

        await maintainer.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Delete, teamPath, ifMatch: teamETag);
        var owning = (await owner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Delete, teamPath, ifMatch: teamETag))!;
        Assert.Equal("The team still owns services; delete them or move them to another team first.", owning["detail"]!.GetValue<string>());

        await owner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/services/{service["id"]}", ifMatch: service["etag"]!.GetValue<string>());
        await owner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, teamPath, ifMatch: teamETag);
        await owner.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, teamPath);
        await maintainer.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, teamPath);
        Assert.DoesNotContain((await maintainer.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/teams"))!.AsArray(), t => t!["id"]!.ToString() == team["id"]!.ToString());
    }

    [Fact]
    public async Task Another_teams_ids_answer_404_exactly_like_ids_that_do_not_exist()
    {
        using var insider = await ProductUser.SignUpAsync(stack, "insider");
        using var outsider = await ProductUser.SignUpAsync(stack, "outsider");
        var teamId = (await insider.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await insider.CreateServiceAsync(teamId);
        var review = (await insider.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        var item = review["items"]![0]!;
        var before = (await insider.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{service["id"]}"))!.ToJsonString();

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/teams/{teamId}", null),
            (HttpMethod.Get, $"/api/services/{service["id"]}", null),
            (HttpMethod.Put, $"/api/services/{service["id"]}", new { name = "stolen", tier = "C" }),
            (HttpMethod.Delete, $"/api/services/{service["id"]}", null),
            (HttpMethod.Get, $"/api/services/{service["id"]}/history", null),
            (HttpMethod.Get, $"/api/reviews/{review["id"]}", null),
            (HttpMethod.Patch, $"/api/reviews/{review["id"]}/items/{item["itemId"]}", new { status = "Done" }),
            (HttpMethod.Post, "/api/services", new { teamId, name = "planted", slug = $"planted-{Guid.NewGuid():N}"[..20] }),
            (HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = outsider.Email, role = "Owner" }),
        })
        {
            var stranger = await outsider.ExpectAsync(HttpStatusCode.NotFound, method, path, body, ifMatch: "\"1\"");
            var missing = await outsider.ExpectAsync(HttpStatusCode.NotFound, method, path.Replace(teamId, Guid.NewGuid().ToString()).Replace(service["id"]!.GetValue<string>(), Guid.NewGuid().ToString()).Replace(review["id"]!.GetValue<string>(), Guid.NewGuid().ToString()), body, ifMatch: "\"1\"");
            Assert.Equal(missing!["detail"]!.GetValue<string>(), stranger!["detail"]!.GetValue<string>());
        }

        var after = (await insider.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{service["id"]}"))!.ToJsonString();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Tokens_are_shown_once_limited_to_their_scopes_and_refused_once_expired_or_revoked()
    {
        using var user = await ProductUser.SignUpAsync(stack, "scripter");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var readToken = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "dashboards", scopes = s_read, expiresInDays = 7 }))!;
        var writeToken = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "ci", scopes = s_readWrite }))!;
        Assert.StartsWith("ra_pat_", readToken["token"]!.GetValue<string>(), StringComparison.Ordinal);

        using var reader = ProductUser.WithToken(stack, readToken["token"]!.GetValue<string>());
        using var writer = ProductUser.WithToken(stack, writeToken["token"]!.GetValue<string>());
        await reader.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/services");
        await reader.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, "/api/services", new { teamId, name = "x", slug = $"tok-{Guid.NewGuid():N}"[..20] });
        await writer.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/services", new { teamId, name = "x", slug = $"tok-{Guid.NewGuid():N}"[..20] });
        // A token never mints tokens, whatever its scopes.
        await writer.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/tokens", new { name = "child", scopes = s_read });

        // Listed without the secret, with its last use; the database holds only a SHA-256.
        var listed = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/tokens"))!.AsArray();
        Assert.DoesNotContain(readToken["token"]!.GetValue<string>(), listed.ToJsonString(), StringComparison.Ordinal);
        Assert.NotNull(listed.Single(t => t!["name"]!.GetValue<string>() == "dashboards")!["lastUsedAt"]);
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using (var stored = new NpgsqlCommand("""SELECT "Hash" FROM "PersonalAccessTokens" WHERE "Id" = @id""", connection))
        {
            stored.Parameters.AddWithValue("id", Guid.Parse(readToken["details"]!["id"]!.GetValue<string>()));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(readToken["token"]!.GetValue<string>()))), await stored.ExecuteScalarAsync());
        }

        // Revoked: refused at once.
        var writeId = writeToken["details"]!["id"]!.GetValue<string>();
        await user.ExpectAsync(HttpStatusCode.PreconditionRequired, HttpMethod.Delete, $"/api/account/tokens/{writeId}");
        var current = listed.Single(t => t!["id"]!.GetValue<string>() == writeId)!;
        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/account/tokens/{writeId}", ifMatch: current["etag"]!.GetValue<string>());
        await writer.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/services");

        // Expired: a new token whose day has passed before its first use (the database's clock stands in for time passing).
        var shortLived = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "short", scopes = s_read, expiresInDays = 1 }))!;
        await using (var expire = new NpgsqlCommand("""UPDATE "PersonalAccessTokens" SET "ExpiresAt" = now() - interval '1 second' WHERE "Id" = @id""", connection))
        {
            expire.Parameters.AddWithValue("id", Guid.Parse(shortLived["details"]!["id"]!.GetValue<string>()));
            await expire.ExecuteNonQueryAsync();
        }

        using var late = ProductUser.WithToken(stack, shortLived["token"]!.GetValue<string>());
        using var expired = await late.SendAsync(HttpMethod.Get, "/api/services");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", expired.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_person_holds_at_most_50_active_tokens_and_of_two_creations_for_the_last_place_at_once_one_is_made()
    {
        const int MaxActive = 50;
        using var user = await ProductUser.SignUpAsync(stack, "token-hoarder");
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // 49 active tokens, and a revoked and an expired one that no longer count (written directly: creating them
        // through the API would take five minutes of its rate limit).
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO "PersonalAccessTokens" ("Id", "UserId", "Name", "Hash", "Prefix", "Scopes", "CreatedAt", "ExpiresAt", "RevokedAt")
            SELECT gen_random_uuid(), @user, 'seeded ' || n, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'ra_pat_seed', '{read}', now(),
                   CASE WHEN n = 51 THEN now() - interval '1 second' ELSE now() + interval '30 days' END,
                   CASE WHEN n = 50 THEN now() END
            FROM generate_series(1, @count) AS n
            """, connection))
        {
            insert.Parameters.AddWithValue("user", user.Id);
            insert.Parameters.AddWithValue("count", MaxActive + 1);
            await insert.ExecuteNonQueryAsync();
        }

        // Two creations for the last place, held on the person's row until both wait there.
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], await DatabaseLocks.StatusesOfLinedUpAsync(
            connection, """SELECT 1 FROM "AspNetUsers" WHERE "Id" = @id FOR UPDATE""", user.Id,
            () => user.SendAsync(HttpMethod.Post, "/api/account/tokens", new { name = "last-a", scopes = s_read }),
            () => user.SendAsync(HttpMethod.Post, "/api/account/tokens", new { name = "last-b", scopes = s_read })));

        var full = (await user.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/account/tokens", new { name = "one-more", scopes = s_read }))!;
        Assert.Equal($"You hold {MaxActive} active tokens, the most you may; revoke one to create another.", full["detail"]!.GetValue<string>());

        // A revoked one frees its place.
        var listed = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/tokens"))!.AsArray();
        Assert.Equal(MaxActive + 2, listed.Count);
        var made = listed.Single(t => t!["name"]!.GetValue<string>().StartsWith("last-", StringComparison.Ordinal))!;
        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/account/tokens/{made["id"]}", ifMatch: made["etag"]!.GetValue<string>());
        await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "after-revoking", scopes = s_read });
    }

    [Fact]
    public async Task Tokens_that_ended_over_90_days_ago_are_forgotten_when_their_owner_creates_one()
    {
        using var user = await ProductUser.SignUpAsync(stack, "token-gardener");
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO "PersonalAccessTokens" ("Id", "UserId", "Name", "Hash", "Prefix", "Scopes", "CreatedAt", "ExpiresAt", "RevokedAt")
            VALUES (gen_random_uuid(), @user, 'revoked long ago', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'ra_pat_seed', '{read}', now() - interval '200 days', now() + interval '100 days', now() - interval '91 days'),
                   (gen_random_uuid(), @user, 'expired long ago', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'ra_pat_seed', '{read}', now() - interval '200 days', now() - interval '91 days', NULL),
                   (gen_random_uuid(), @user, 'revoked lately', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'ra_pat_seed', '{read}', now() - interval '200 days', now() + interval '100 days', now() - interval '89 days'),
                   (gen_random_uuid(), @user, 'expired lately', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'ra_pat_seed', '{read}', now() - interval '200 days', now() - interval '89 days', NULL)
            """, connection))
        {
            insert.Parameters.AddWithValue("user", user.Id);
            await insert.ExecuteNonQueryAsync();
        }

        async Task<string[]> NamesAsync() => [.. (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/tokens"))!.AsArray()
            .Select(t => t!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
        Assert.Equal(["expired lately", "expired long ago", "revoked lately", "revoked long ago"], await NamesAsync());
        await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "new", scopes = s_read });
        Assert.Equal(["expired lately", "new", "revoked lately"], await NamesAsync());
    }

    [Fact]
    public async Task A_token_in_use_is_revoked_with_the_etag_its_owner_read_before_the_use()
    {
        using var user = await ProductUser.SignUpAsync(stack, "revoker");
        var created = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "leaked", scopes = s_read }))!;
        var details = created["details"]!;
        Assert.Null(details["lastUsedAt"]);

        // Its use is recorded (the first use on a replica always is), and the owner sees when.
        using var holder = ProductUser.WithToken(stack, created["token"]!.GetValue<string>());
        await holder.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/services");
        var used = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/account/tokens/{details["id"]}"))!;
        Assert.NotNull(used["lastUsedAt"]);
        Assert.Equal(details["etag"]!.GetValue<string>(), used["etag"]!.GetValue<string>());

        // The ETag read before the use still revokes it: use is not a change that the owner could overwrite.
        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/account/tokens/{details["id"]}", ifMatch: details["etag"]!.GetValue<string>());
        await holder.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/services");
        var revoked = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/account/tokens/{details["id"]}"))!;
        Assert.NotNull(revoked["revokedAt"]);
        Assert.Equal(used["lastUsedAt"]!.GetValue<DateTimeOffset>(), revoked["lastUsedAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Cookie_authenticated_writes_without_the_antiforgery_token_are_refused_and_forged_cookies_sign_no_one_in()
    {
        using var user = await ProductUser.SignUpAsync(stack, "csrf");
        using var forged = user.WithoutCsrfToken(stack);
        var refused = await forged.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/teams", new { name = "x", slug = $"csrf-{Guid.NewGuid():N}"[..20] });
        Assert.Equal("Antiforgery token missing or invalid", refused!["title"]!.GetValue<string>());
        await forged.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/me");

        using var impostor = await ProductUser.SignUpAsync(stack, "impostor");
        impostor.SetCookie("__Host-ra-auth", "CfDJ8" + new string('A', 300));
        await impostor.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/account/me");
    }
}
