using System.Net;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>What the rest of the product does over time: finding services, a review's life, the demo, the history's permanence.</summary>
[Collection(StackTestGroup.Name)]
public sealed class ReviewLifecycleTests(StackFixture stack)
{
    private static readonly string[] s_payments = ["payments", "pci"];
    private static readonly string[] s_catalog = ["catalog"];

    [Fact]
    public async Task The_service_list_pages_searches_filters_by_tag_and_sorts()
    {
        using var user = await ProductUser.SignUpAsync(stack, "lister");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        await user.CreateServiceAsync(teamId, tier: "C", tags: s_catalog, name: "Catalog");
        await user.CreateServiceAsync(teamId, tier: "A", tags: s_payments, name: "Checkout");
        await user.CreateServiceAsync(teamId, tier: "B", tags: s_payments, name: "Billing");
        var list = $"/api/services?teamId={teamId}";

        var names = async (string query) => (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, list + query))!["items"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["Billing", "Catalog", "Checkout"], await names(""));
        Assert.Equal(["Checkout", "Catalog", "Billing"], await names("&sort=-name"));
        Assert.Equal(["Checkout", "Billing", "Catalog"], await names("&sort=tier"));
        Assert.Equal(["Billing", "Checkout"], await names("&tag=payments"));
        Assert.Equal(["Checkout"], await names("&search=CHECK"));
        // LIKE's wildcards are matched literally.
        Assert.Empty(await names("&search=%25"));

        var page = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, list + "&pageSize=2&page=2"))!;
        Assert.Equal(3, page["total"]!.GetValue<int>());
        Assert.Equal("Checkout", Assert.Single(page["items"]!.AsArray())!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_review_started_for_a_service_deleted_meanwhile_is_told_404_not_500_and_nothing_is_saved()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "late-reviewer");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var serviceId = Guid.Parse((await owner.CreateServiceAsync(teamId))["id"]!.GetValue<string>());
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // The start has read the owner's role and waits on the service's row, which a delete holds and then commits.
        using var answer = await DatabaseLocks.RacedByDeleteAsync(connection, "Services", serviceId,
            () => owner.SendAsync(HttpMethod.Post, $"/api/services/{serviceId}/reviews", new { }));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        await using var recorded = new NpgsqlCommand("""SELECT count(*) FROM "AuditEvents" WHERE "Action" = 'review.started' AND "ServiceId" = @id""", connection);
        recorded.Parameters.AddWithValue("id", serviceId);
        Assert.Equal(0L, await recorded.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_completed_review_is_frozen_and_the_next_one_starts_fresh_with_the_service_showing_the_latest()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "reviewer");
        using var member = await ProductUser.SignUpAsync(stack, "assignee");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        await owner.AddMemberAsync(teamId, member, "Maintainer");
        var service = await owner.CreateServiceAsync(teamId, tier: "C");
        var reviews = $"/api/services/{service["id"]}/reviews";
        var first = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, reviews, new { }))!;
        await owner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, reviews, new { });

        // Assignee and due date; the assignee must be in the team.
        var item = first["items"]![0]!;
        var itemPath = $"/api/reviews/{first["id"]}/items/{item["itemId"]}";
        await owner.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Patch, itemPath, new { assigneeId = Guid.NewGuid().ToString() }, ifMatch: item["etag"]!.GetValue<string>());
        // A change loads only its own item; one the review does not have is not found, whatever the If-Match.
        await owner.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Patch, $"/api/reviews/{first["id"]}/items/no-such-item", new { status = "Done" }, ifMatch: item["etag"]!.GetValue<string>());
        var assigned = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, itemPath, new { status = "Done", assigneeId = member.Id, dueOn = "2027-01-31" }, ifMatch: item["etag"]!.GetValue<string>()))!;
        Assert.Equal(member.Id, assigned["assigneeId"]!.GetValue<string>());
        Assert.Equal("2027-01-31", assigned["dueOn"]!.GetValue<string>());

        // Scores per section: the first section has one item done.
        var read = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{first["id"]}"))!;
        var section = read["sections"]![0]!;
        Assert.Equal(item["sectionId"]!.GetValue<string>(), section["sectionId"]!.GetValue<string>());
        Assert.Equal(1, section["done"]!.GetValue<int>());
        Assert.Equal(Math.Round(1.0 / section["total"]!.GetValue<int>(), 4), section["score"]!.GetValue<double>(), 4);

        await owner.ExpectAsync(HttpStatusCode.PreconditionFailed, HttpMethod.Post, $"/api/reviews/{first["id"]}/complete", ifMatch: "\"1\"");
        var completed = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/reviews/{first["id"]}/complete", ifMatch: read["etag"]!.GetValue<string>()))!;
        Assert.Equal("Completed", completed["state"]!.GetValue<string>());
        await owner.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Patch, itemPath, new { status = "NotStarted" }, ifMatch: assigned["etag"]!.GetValue<string>());

        var second = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, reviews, new { }))!;
        Assert.Equal(0, second["score"]!.GetValue<double>());
        var listed = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, reviews))!;
        Assert.Equal(2, listed["total"]!.GetValue<int>());
        Assert.Equal([second["id"]!.GetValue<string>(), first["id"]!.GetValue<string>()], listed["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal(["Open", "Completed"], listed["items"]!.AsArray().Select(r => r!["state"]!.GetValue<string>()));
        Assert.Equal(completed["score"]!.GetValue<double>(), listed["items"]![1]!["score"]!.GetValue<double>());

        // Paged, as every list is: the second page of one holds the completed review; a size out of range is refused.
        var older = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, reviews + "?page=2&pageSize=1"))!;
        Assert.Equal(2, older["total"]!.GetValue<int>());
        Assert.Equal(first["id"]!.GetValue<string>(), Assert.Single(older["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Empty((await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, reviews + "?page=3&pageSize=1"))!["items"]!.AsArray());
        await owner.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, reviews + "?pageSize=101");
        var shown = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{service["id"]}"))!;
        Assert.Equal(second["id"]!.GetValue<string>(), shown["readiness"]!["reviewId"]!.GetValue<string>());

        // A replica whose clock ran ahead started the completed review "after" the open one: the open one is still
        // the service's current review, and still leads the list.
        await using (var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness")))
        {
            await connection.OpenAsync();
            await using var skew = new NpgsqlCommand("""UPDATE "Reviews" SET "StartedAt" = now() + interval '1 hour' WHERE "Id" = @id""", connection);
            skew.Parameters.AddWithValue("id", Guid.Parse(first["id"]!.GetValue<string>()));
            Assert.Equal(1, await skew.ExecuteNonQueryAsync());
        }

        shown = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{service["id"]}"))!;
        Assert.Equal(second["id"]!.GetValue<string>(), shown["readiness"]!["reviewId"]!.GetValue<string>());
        listed = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, reviews))!;
        Assert.Equal(["Open", "Completed"], listed["items"]!.AsArray().Select(r => r!["state"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_item_change_that_read_the_review_open_is_refused_once_a_completion_got_there_first()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "freeze-late");
        var review = await StartReviewAsync(owner);
        var reviewId = review["id"]!.GetValue<string>();
        var item = review["items"]![0]!;

        // Hold the item's row: the change has read the review open and waits to write, while the review completes.
        await using var connection = await OpenDatabaseAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""SELECT 1 FROM "ReviewItems" WHERE "ReviewId" = @review AND "ItemId" = @item FOR UPDATE""", connection, holding))
        {
            hold.Parameters.AddWithValue("review", Guid.Parse(reviewId));
            hold.Parameters.AddWithValue("item", item["itemId"]!.GetValue<string>());
            await hold.ExecuteNonQueryAsync();
        }

        var change = owner.SendAsync(HttpMethod.Patch, $"/api/reviews/{reviewId}/items/{item["itemId"]}", new { status = "Done" }, ifMatch: item["etag"]!.GetValue<string>());
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 1);
        var completed = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/reviews/{reviewId}/complete", ifMatch: review["etag"]!.GetValue<string>()))!;
        await holding.CommitAsync();

        using (var refused = await change)
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        var frozen = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!;
        Assert.Equal("NotStarted", frozen["items"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(completed["score"]!.GetValue<double>(), frozen["score"]!.GetValue<double>());
    }

    [Fact]
    public async Task Evidence_of_a_completed_review_cannot_be_deleted_even_with_the_database_password_yet_goes_with_its_service()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "freeze-evidence");
        var review = await StartReviewAsync(owner);
        var reviewId = review["id"]!.GetValue<string>();
        var evidence = await UploadAsync(owner, review);
        var reviewETag = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!["etag"]!.GetValue<string>();
        await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/reviews/{reviewId}/complete", ifMatch: reviewETag);

        // A delete that read the review open before its completion writes as this one does: past the handler's check.
        await using var connection = await OpenDatabaseAsync();
        await using (var delete = new NpgsqlCommand("""DELETE FROM "EvidenceFiles" WHERE "Id" = @id""", connection))
        {
            delete.Parameters.AddWithValue("id", Guid.Parse(evidence["id"]!.GetValue<string>()));
            var refused = await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
            Assert.Equal("RAF01", refused.SqlState);
        }

        using (var download = await owner.SendAsync(HttpMethod.Get, evidence["contentUrl"]!.GetValue<string>()))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        // Deleting the service still takes its frozen reviews and their files along.
        var serviceId = review["serviceId"]!.GetValue<string>();
        var service = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{serviceId}"))!;
        await owner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/services/{serviceId}", ifMatch: service["etag"]!.GetValue<string>());
        await owner.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, evidence["contentUrl"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("upload")]
    [InlineData("delete")]
    public async Task A_completion_waits_for_an_evidence_change_under_way_behind_its_lock_on_the_review(string change)
    {
        using var owner = await ProductUser.SignUpAsync(stack, "freeze-evidence-" + change);
        var review = await StartReviewAsync(owner);
        var reviewId = review["id"]!.GetValue<string>();
        var itemId = review["items"]![0]!["itemId"]!.GetValue<string>();
        var existing = await UploadAsync(owner, review);
        var reviewETag = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!["etag"]!.GetValue<string>();

        // Hold the team's audit chain: the change waits to record its event while the completion comes.
        await using var connection = await OpenDatabaseAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""SELECT pg_advisory_xact_lock(hashtext('AuditEvents'), hashtext(@team))""", connection, holding))
        {
            hold.Parameters.AddWithValue("team", review["teamId"]!.GetValue<string>());
            await hold.ExecuteNonQueryAsync();
        }

        var writing = change == "upload"
            ? owner.SendAsync(HttpMethod.Post, $"/api/reviews/{reviewId}/items/{itemId}/evidence", content: ProductFlowTests.FileUpload("late.txt", "late\n"u8.ToArray()))
            : owner.SendAsync(HttpMethod.Delete, $"/api/evidence/{existing["id"]}", ifMatch: existing["etag"]!.GetValue<string>());
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 1);
        var completion = owner.SendAsync(HttpMethod.Post, $"/api/reviews/{reviewId}/complete", ifMatch: reviewETag);
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 2);
        // The completion waits behind the change's lock on the review, not on the audit chain the change waits for:
        // both lock the review first, then the chain. In the other order each would hold what the other waits for.
        await using (var chainWaiters = new NpgsqlCommand(
            """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                AND classid::int4 = hashtext('AuditEvents') AND objid::int4 = hashtext(@team) AND objsubid = 2
            """, connection, holding))
        {
            chainWaiters.Parameters.AddWithValue("team", review["teamId"]!.GetValue<string>());
            Assert.Equal(1L, await chainWaiters.ExecuteScalarAsync());
        }

        await holding.CommitAsync();

        // The change got in first, so it is saved; the review is then completed with it.
        using (var written = await writing)
        {
            Assert.Equal(change == "upload" ? HttpStatusCode.Created : HttpStatusCode.NoContent, written.StatusCode);
        }

        using (var completed = await completion)
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        var files = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}/items/{itemId}/evidence"))!.AsArray();
        Assert.Equal(change == "upload" ? 2 : 0, files.Count);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> UploadAsync(ProductUser owner, System.Text.Json.Nodes.JsonNode review) =>
        (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/reviews/{review["id"]}/items/{review["items"]![0]!["itemId"]}/evidence",
            content: ProductFlowTests.FileUpload("tls.txt", "TLS 1.3 only\n"u8.ToArray())))!;

    [Fact]
    public async Task A_completion_waits_for_an_item_change_under_way_and_records_the_score_with_it()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "freeze-wait");
        var review = await StartReviewAsync(owner);
        var reviewId = review["id"]!.GetValue<string>();
        var item = review["items"]![0]!;
        var total = review["items"]!.AsArray().Count;

        // Hold the team's audit chain: the change has written its item and waits to record its event, while the
        // completion reads the items it will freeze.
        await using var connection = await OpenDatabaseAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""SELECT pg_advisory_xact_lock(hashtext('AuditEvents'), hashtext(@team))""", connection, holding))
        {
            hold.Parameters.AddWithValue("team", review["teamId"]!.GetValue<string>());
            await hold.ExecuteNonQueryAsync();
        }

        var change = owner.SendAsync(HttpMethod.Patch, $"/api/reviews/{reviewId}/items/{item["itemId"]}", new { status = "Done" }, ifMatch: item["etag"]!.GetValue<string>());
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 1);
        var completion = owner.SendAsync(HttpMethod.Post, $"/api/reviews/{reviewId}/complete", ifMatch: review["etag"]!.GetValue<string>());
        await DatabaseLocks.WaitForWaitersAsync(connection, holding, 2);
        await holding.CommitAsync();

        using (var changed = await change)
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using (var completed = await completion)
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        // The event records the score of the items frozen, the change included.
        await using var recorded = new NpgsqlCommand(
            """SELECT ("After"->>'score')::float8 FROM "AuditEvents" WHERE "ReviewId" = @review AND "Action" = 'review.completed'""", connection);
        recorded.Parameters.AddWithValue("review", Guid.Parse(reviewId));
        Assert.Equal(Math.Round(1.0 / total, 4), (double)(await recorded.ExecuteScalarAsync())!, 4);
        var frozen = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!;
        Assert.Equal(Math.Round(1.0 / total, 4), frozen["score"]!.GetValue<double>(), 4);
    }

    /// <summary>A review of a new service of a new team of <paramref name="owner"/>'s, with the team's id in it.</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> StartReviewAsync(ProductUser owner)
    {
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await owner.CreateServiceAsync(teamId, tier: "C");
        var review = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        review["teamId"] = teamId;
        return review;
    }

    private async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task A_new_account_of_a_local_run_sees_the_demo_team_read_only_and_can_sign_out()
    {
        using var user = await ProductUser.SignUpAsync(stack, "newcomer");
        var demo = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/services?search=demo-"))!["items"]!.AsArray();
        Assert.Equal(["Demo catalog", "Demo checkout"], demo.Select(s => s!["name"]!.GetValue<string>()));
        var checkout = demo.Single(s => s!["slug"]!.GetValue<string>() == "demo-checkout")!;
        Assert.True(checkout["readiness"]!["score"]!.GetValue<double>() > 0);
        await user.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Put, $"/api/services/{checkout["id"]}", new { name = "mine", tier = "C" }, ifMatch: checkout["etag"]!.GetValue<string>());

        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/account/sign-out");
        await user.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/account/me");
    }

    [Fact]
    public async Task The_history_cannot_be_changed_or_deleted_even_with_the_database_password()
    {
        using var user = await ProductUser.SignUpAsync(stack, "historian");
        await user.CreateTeamAsync();
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        foreach (var sql in new[] { """UPDATE "AuditEvents" SET "Action" = 'forged'""", """DELETE FROM "AuditEvents" """, """TRUNCATE "AuditEvents" """ })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }
}
