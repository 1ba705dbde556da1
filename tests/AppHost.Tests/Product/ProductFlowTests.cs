using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>The product as a new user meets it, through nginx over HTTPS on the real stack.</summary>
[Collection(StackTestGroup.Name)]
public sealed class ProductFlowTests(StackFixture stack)
{
    [Fact]
    public async Task A_new_user_signs_up_registers_a_service_reviews_it_with_evidence_and_sees_score_and_history()
    {
        using var alice = await ProductUser.SignUpAsync(stack, "alice");
        var me = await alice.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/me");
        Assert.True(me!["emailConfirmed"]!.GetValue<bool>());

        var team = await alice.CreateTeamAsync("Payments");
        Assert.Equal("Owner", team["myRole"]!.GetValue<string>());
        var service = await alice.CreateServiceAsync(team["id"]!.GetValue<string>(), tier: "B");
        var serviceId = service["id"]!.GetValue<string>();
        Assert.Equal("No review yet: start one against the checklist.", service["readiness"]!["reason"]!.GetValue<string>());

        var review = (await alice.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{serviceId}/reviews", new { }))!;
        var reviewId = review["id"]!.GetValue<string>();
        var items = review["items"]!.AsArray();
        Assert.Equal("production-readiness", review["checklistId"]!.GetValue<string>());
        Assert.True(items.Count > 2);

        foreach (var item in items.Take(2))
        {
            await alice.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{reviewId}/items/{item!["itemId"]}",
                new { status = "Done", notes = "Balanced by **nginx**" }, ifMatch: item["etag"]!.GetValue<string>());
        }

        var itemId = items[0]!["itemId"]!.GetValue<string>();
        var uploaded = (await alice.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/reviews/{reviewId}/items/{itemId}/evidence",
            content: FileUpload("nginx.conf.txt", "upstream webapi { server a; server b; }\n"u8.ToArray())))!;
        Assert.Equal("text/plain", uploaded["contentType"]!.GetValue<string>());

        using (var download = await alice.SendAsync(HttpMethod.Get, uploaded["contentUrl"]!.GetValue<string>()))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("upstream webapi { server a; server b; }\n", await download.Content.ReadAsStringAsync());
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", Assert.Single(download.Headers.GetValues("X-Content-Type-Options")));
        }

        var total = items.Count;
        var read = (await alice.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!;
        Assert.Equal(Math.Round(2.0 / total, 4), read["score"]!.GetValue<double>(), 4);
        Assert.Equal("<p>Balanced by <strong>nginx</strong></p>\n", read["items"]![0]!["notesHtml"]!.GetValue<string>());

        // The service list shows the latest score and why the service is not ready for its tier.
        var list = (await alice.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services?teamId={team["id"]}"))!;
        var listed = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal(Math.Round(2.0 / total, 4), listed["readiness"]!["score"]!.GetValue<double>(), 4);
        Assert.False(listed["readiness"]!["ready"]!.GetValue<bool>());
        Assert.Contains("below tier B's 90%", listed["readiness"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        var history = (await alice.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/services/{serviceId}/history"))!;
        var actions = history["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["evidence.added", "item.updated", "item.updated", "review.started", "service.created"], actions);
        Assert.All(history["items"]!.AsArray(), e => Assert.Equal(alice.Email, e!["actorEmail"]!.GetValue<string>()));
        Assert.All(history["items"]!.AsArray(), e => Assert.Matches("^[0-9a-f]{32}$", e!["traceId"]!.GetValue<string>()));
        var itemEvent = history["items"]![1]!;
        Assert.Equal("NotStarted", itemEvent["before"]!["status"]!.GetValue<string>());
        Assert.Equal("Done", itemEvent["after"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_waiver_counts_only_once_another_owner_approves_it_and_stops_counting_when_it_expires()
    {
        using var requester = await ProductUser.SignUpAsync(stack, "requester");
        using var approver = await ProductUser.SignUpAsync(stack, "approver");
        var team = await requester.CreateTeamAsync();
        var teamId = team["id"]!.GetValue<string>();
        await requester.AddMemberAsync(teamId, approver, "Owner");
        var service = await requester.CreateServiceAsync(teamId, tier: "C");
        var review = (await requester.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        var reviewId = review["id"]!.GetValue<string>();
        var item = review["items"]![0]!;
        var itemPath = $"/api/reviews/{reviewId}/items/{item["itemId"]}";
        var total = review["items"]!.AsArray().Count;
        var nextMonth = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30).ToString("yyyy-MM-dd");

        // The requester cannot approve their own waiver while the team has another owner.
        var selfApproved = await requester.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Patch, itemPath,
            new { status = "Waived", waiver = new { reason = "Handled by the platform", approverId = requester.Id, expiresOn = nextMonth } }, ifMatch: item["etag"]!.GetValue<string>());
        Assert.NotNull(selfApproved!["errors"]!["waiver.approverId"]);

        var pending = (await requester.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, itemPath,
            new { status = "Waived", waiver = new { reason = "Handled by the platform", approverId = approver.Id, expiresOn = nextMonth } }, ifMatch: item["etag"]!.GetValue<string>()))!;
        Assert.Equal("Pending", pending["waiver"]!["state"]!.GetValue<string>());
        Assert.Equal("NotStarted", pending["effectiveStatus"]!.GetValue<string>());
        Assert.Equal(0, await ScoreAsync(requester, reviewId));

        await requester.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, $"{itemPath}/waiver/approve", ifMatch: pending["etag"]!.GetValue<string>());
        // The approver approves the terms they read: after the requester moved the expiry, the ETag read before is stale.
        await approver.ExpectAsync(HttpStatusCode.PreconditionRequired, HttpMethod.Post, $"{itemPath}/waiver/approve");
        var extended = (await requester.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, itemPath,
            new { status = "Waived", waiver = new { reason = "Handled by the platform", approverId = approver.Id, expiresOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(60).ToString("yyyy-MM-dd") } }, ifMatch: pending["etag"]!.GetValue<string>()))!;
        await approver.ExpectAsync(HttpStatusCode.PreconditionFailed, HttpMethod.Post, $"{itemPath}/waiver/approve", ifMatch: pending["etag"]!.GetValue<string>());
        var stillPending = (await requester.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!["items"]!.AsArray()
            .Single(i => i!["itemId"]!.GetValue<string>() == item["itemId"]!.GetValue<string>())!;
        Assert.Equal("Pending", stillPending["waiver"]!["state"]!.GetValue<string>());
        var approved = (await approver.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"{itemPath}/waiver/approve", ifMatch: extended["etag"]!.GetValue<string>()))!;
        Assert.Equal("Active", approved["waiver"]!["state"]!.GetValue<string>());

        // done / (items - waived): nothing done yet, one waived.
        await requester.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{reviewId}/items/{review["items"]![1]!["itemId"]}",
            new { status = "Done" }, ifMatch: review["items"]![1]!["etag"]!.GetValue<string>());
        Assert.Equal(Math.Round(1.0 / (total - 1), 4), await ScoreAsync(requester, reviewId), 4);

        // Time passes: the waiver's date is behind us, so the item counts as not done again and says why.
        await using (var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness")))
        {
            await connection.OpenAsync();
            await using var expire = new NpgsqlCommand("""UPDATE "ReviewItems" SET "Waiver_ExpiresOn" = CURRENT_DATE - 1 WHERE "ReviewId" = @review AND "ItemId" = @item""", connection);
            expire.Parameters.AddWithValue("review", Guid.Parse(reviewId));
            expire.Parameters.AddWithValue("item", item["itemId"]!.GetValue<string>());
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        var read = (await requester.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!;
        Assert.Equal("Expired", read["items"]![0]!["waiver"]!["state"]!.GetValue<string>());
        Assert.Equal("NotStarted", read["items"]![0]!["effectiveStatus"]!.GetValue<string>());
        Assert.Equal(Math.Round(1.0 / total, 4), read["score"]!.GetValue<double>(), 4);
    }

    [Fact]
    public async Task Script_and_event_handlers_in_notes_are_stored_as_written_and_rendered_inert()
    {
        using var user = await ProductUser.SignUpAsync(stack, "xss");
        var team = await user.CreateTeamAsync();
        var service = await user.CreateServiceAsync(team["id"]!.GetValue<string>());
        var review = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        var item = review["items"]![0]!;
        const string Notes = """
            <script>alert(1)</script>
            <img src=x onerror=alert(2)>
            [click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>
            <iframe src="https://evil.example"></iframe> <svg onload=alert(5)>
            [fine](https://example.com)
            """;

        var updated = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{review["id"]}/items/{item["itemId"]}",
            new { notes = Notes }, ifMatch: item["etag"]!.GetValue<string>()))!;

        Assert.Equal(Notes, updated["notes"]!.GetValue<string>());
        var html = updated["notesHtml"]!.GetValue<string>();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", html, StringComparison.OrdinalIgnoreCase);
        // Raw HTML is shown as text (escaped); what matters is that no element carries a script URL or handler.
        Assert.DoesNotMatch("(?i)<[^>]+(href|src)\\s*=\\s*\"?\\s*javascript:", html);
        Assert.DoesNotMatch("<[^>]+\\son[a-z]+=", html);
        Assert.Contains("<a href=\"https://example.com\">fine</a>", html, StringComparison.Ordinal);
    }

    internal static MultipartFormDataContent FileUpload(string fileName, byte[] bytes, string clientContentType = "application/octet-stream")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(clientContentType);
        return new MultipartFormDataContent { { file, "file", fileName } };
    }

    private static async Task<double> ScoreAsync(ProductUser user, string reviewId) =>
        (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/reviews/{reviewId}"))!["score"]!.GetValue<double>();
}
