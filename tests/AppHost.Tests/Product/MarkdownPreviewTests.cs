using System.Net;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>The notes editor's live preview: Markdown rendered as saved notes are, for any signed-in user, saving nothing.</summary>
[Collection(StackTestGroup.Name)]
public sealed class MarkdownPreviewTests(StackFixture stack)
{
    private const string PreviewPath = "/api/markdown/preview";
    private const int NotesLimit = 20_000;
    private const string TooDeeplyNested = "The Markdown nests quotes, lists or emphasis deeper than it can be shown; nest them less.";
    private static readonly string[] s_read = ["read"];

    [Fact]
    public async Task The_preview_is_exactly_what_the_saved_note_renders_with_markup_as_text_and_nothing_that_runs()
    {
        using var user = await ProductUser.SignUpAsync(stack, "preview");
        const string Notes = """
            **Both** replicas, see [the config](https://example.com/nginx).
            <img src=x onerror=alert(1)> <script>alert(2)</script>
            [click](javascript:alert(3)) <svg onload=alert(4)>
            """;

        var html = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, PreviewPath, new { markdown = Notes }))!["html"]!.GetValue<string>();

        Assert.Contains("<strong>Both</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.com/nginx\">the config</a>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(?i)<[^>]+(href|src)\\s*=\\s*\"?\\s*javascript:", html);

        // Saved, the same text renders to the same HTML.
        var team = await user.CreateTeamAsync();
        var service = await user.CreateServiceAsync(team["id"]!.GetValue<string>());
        var review = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        var item = review["items"]![0]!;
        var saved = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{review["id"]}/items/{item["itemId"]}",
            new { notes = Notes }, ifMatch: item["etag"]!.GetValue<string>()))!;
        Assert.Equal(saved["notesHtml"]!.GetValue<string>(), html);
    }

    [Fact]
    public async Task Markdown_nested_deeper_than_it_can_be_shown_is_refused_and_a_note_stored_before_still_lets_its_review_be_read()
    {
        using var user = await ProductUser.SignUpAsync(stack, "deep-notes");
        // 128 quote levels in 130 characters: Markdig refuses to nest deeper, and threw from every render of it.
        var deep = new string('>', 128) + " x";
        var team = await user.CreateTeamAsync();
        var service = await user.CreateServiceAsync(team["id"]!.GetValue<string>());
        var review = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        var reviewPath = $"/api/reviews/{review["id"]}";
        var item = review["items"]![0]!;
        var itemPath = $"{reviewPath}/items/{item["itemId"]}";

        var preview = (await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, PreviewPath, new { markdown = deep }))!;
        Assert.Equal(TooDeeplyNested, preview["errors"]!["Markdown"]![0]!.GetValue<string>());
        var saving = (await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Patch, itemPath, new { notes = deep }, ifMatch: item["etag"]!.GetValue<string>()))!;
        Assert.Equal(TooDeeplyNested, saving["errors"]!["notes"]![0]!.GetValue<string>());

        // Stored before it was refused (written here directly): the review is read, the note shown as its text.
        await using (var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness")))
        {
            await connection.OpenAsync();
            await using var store = new NpgsqlCommand("""UPDATE "ReviewItems" SET "Notes" = @notes WHERE "ReviewId" = @review AND "ItemId" = @item""", connection);
            store.Parameters.AddWithValue("notes", deep + "\n<b>y</b>");
            store.Parameters.AddWithValue("review", Guid.Parse(review["id"]!.GetValue<string>()));
            store.Parameters.AddWithValue("item", item["itemId"]!.GetValue<string>());
            Assert.Equal(1, await store.ExecuteNonQueryAsync());
        }

        var read = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, reviewPath))!;
        var shown = read["items"]!.AsArray().Single(i => i!["itemId"]!.GetValue<string>() == item["itemId"]!.GetValue<string>())!["notesHtml"]!.GetValue<string>();
        Assert.Equal($"<p>{new string('>', 128).Replace(">", "&gt;", StringComparison.Ordinal)} x<br>\n&lt;b&gt;y&lt;/b&gt;</p>", shown);
    }

    [Fact]
    public async Task The_preview_takes_the_notes_limit_and_a_signed_in_caller_with_the_antiforgery_token_or_a_read_token()
    {
        using var user = await ProductUser.SignUpAsync(stack, "preview-limits");

        // As long as a note may be, and not a character more.
        await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, PreviewPath, new { markdown = new string('a', NotesLimit) });
        var tooLong = (await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, PreviewPath, new { markdown = new string('a', NotesLimit + 1) }))!;
        Assert.NotNull(tooLong["errors"]!["Markdown"]);
        var missing = (await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, PreviewPath, new { }))!;
        Assert.NotNull(missing["errors"]!["Markdown"]);
        Assert.Equal("", (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, PreviewPath, new { markdown = "" }))!["html"]!.GetValue<string>());

        // No session: 401. The session without the antiforgery token, as a forged cross-site request: 400.
        using var anonymous = await ProductUser.AnonymousAsync(stack);
        await anonymous.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, PreviewPath, new { markdown = "**x**" });
        using var forged = user.WithoutCsrfToken(stack);
        var refused = (await forged.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, PreviewPath, new { markdown = "**x**" }))!;
        Assert.Equal("Antiforgery token missing or invalid", refused["title"]!.GetValue<string>());

        // It stores nothing, so a token that may only read may preview.
        var readToken = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "preview", scopes = s_read }))!;
        using var reader = ProductUser.WithToken(stack, readToken["token"]!.GetValue<string>());
        var rendered = (await reader.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, PreviewPath, new { markdown = "**x**" }))!;
        Assert.Contains("<strong>x</strong>", rendered["html"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
