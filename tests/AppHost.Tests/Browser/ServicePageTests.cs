using System.Globalization;
using System.Text.RegularExpressions;
using AppHost.Tests.Product;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>A team's service in the browser: created, reviewed item by item with notes and evidence, and scanned.</summary>
[Collection(StackTestGroup.Name)]
public sealed partial class ServicePageTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    /// <summary>A 1x1 PNG: evidence is typed by its first bytes, so it must be a real one.</summary>
    private static readonly byte[] s_png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static readonly string[] s_theirTags = ["theirs"];

    private const string XssNote = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task A_service_is_created_and_reviewed_with_scores_evidence_and_a_note_that_stays_text()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "service");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-service");

        // A team of one's own (the demo team of a local run is view-only), on the teams page.
        var teamName = "Team " + Guid.NewGuid().ToString("N")[..8];
        await page.GetByRole(AriaRole.Link, new() { Name = "Teams", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Teams", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Your teams" })).ToBeVisibleAsync();
        await session.CheckPageAsync("teams");
        await page.GetByLabel("Team name").FillAsync(teamName);
        await page.GetByLabel("Team slug").FillAsync("team-" + Guid.NewGuid().ToString("N")[..12]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create team" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = teamName, Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageAsync("team");

        var serviceName = "Checkout " + Guid.NewGuid().ToString("N")[..8];
        await page.GetByRole(AriaRole.Link, new() { Name = "Services", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New service" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New service", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(serviceName);
        await page.GetByLabel("Tags").FillAsync("payments, browser");
        await page.GetByLabel("Environment 1 base URL").FillAsync("https://checkout.example.com");
        await session.CheckPageAsync("service-new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create service" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = serviceName, Level = 1 })).ToBeVisibleAsync();

        // The review: every item starts at 0%; each item marked done raises the score, without a reload.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start a review" }).ClickAsync();
        var score = page.Locator("#review-score");
        await Expect(score).ToHaveTextAsync("0%");
        await session.CheckPageAsync("service-review");
        var statuses = page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() });
        var first = ItemId(await statuses.Nth(0).GetAttributeAsync("id"));
        var second = ItemId(await statuses.Nth(1).GetAttributeAsync("id"));
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        await page.GetByLabel($"Status of {first}").SelectOptionAsync("Done");
        await Expect(score).Not.ToHaveTextAsync("0%");
        var afterOne = Percent(await score.TextContentAsync());
        await page.GetByLabel($"Status of {second}").SelectOptionAsync("Done");
        await Expect(score).Not.ToHaveTextAsync($"{afterOne}%");
        var afterTwo = Percent(await score.TextContentAsync());
        Assert.True(afterTwo > afterOne, $"{afterOne}% then {afterTwo}%");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");

        // A note holding markup, typed key by key: before it is saved, the preview shows the server's rendering of it,
        // the markup in it as text, and nothing runs (a dialog, console error or CSP violation would be reported).
        await page.GetByText($"Notes, assignee, due date and evidence for {first}").ClickAsync();
        await page.GetByLabel($"Notes on {first}").PressSequentiallyAsync($"**Both** replicas {XssNote}");
        var preview = page.GetByRole(AriaRole.Region, new() { Name = $"Preview of the notes on {first}" });
        await Expect(preview).ToContainTextAsync(XssNote);
        await Expect(preview.Locator("strong")).ToHaveTextAsync("Both");
        await Expect(preview.Locator("img")).ToHaveCountAsync(0);
        await Expect(preview).ToHaveAttributeAsync("aria-busy", "false");
        await session.CheckPageAsync("service-review-notes-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Save {first}" }).ClickAsync();
        await Expect(page.Locator(".sr-status")).ToContainTextAsync($"{first} saved.");
        await Expect(preview.Locator("strong")).ToHaveTextAsync("Both");
        await Expect(preview).ToContainTextAsync(XssNote);
        await Expect(preview.Locator("img")).ToHaveCountAsync(0);

        // Evidence: a text file dropped on the zone, a PNG chosen with the file input; both download as they were.
        var evidence = page.GetByRole(AriaRole.Region, new() { Name = $"Evidence for {first}" });
        var text = "upstream webapi { server a; server b; }\n"u8.ToArray();
        var dropped = await page.EvaluateHandleAsync("""
            (text) => {
              const transfer = new DataTransfer();
              transfer.items.add(new File([text], "nginx.conf.txt", { type: "text/plain" }));
              return transfer;
            }
            """, System.Text.Encoding.UTF8.GetString(text));
        await evidence.Locator(".dropzone").DispatchEventAsync("drop", new Dictionary<string, object> { ["dataTransfer"] = dropped });
        await Expect(evidence.GetByRole(AriaRole.Link, new() { Name = "nginx.conf.txt" })).ToBeVisibleAsync();
        // The file input and the list of files have names of their own.
        await Expect(evidence.GetByRole(AriaRole.List, new() { Name = $"Evidence files for {first}" })).ToBeVisibleAsync();
        await evidence.GetByLabel($"Files to upload as evidence for {first}").SetInputFilesAsync(new FilePayload { Name = "dashboard.png", MimeType = "image/png", Buffer = s_png });
        await Expect(evidence.GetByRole(AriaRole.Link, new() { Name = "dashboard.png" })).ToBeVisibleAsync();
        Assert.Equal(text, await DownloadAsync(page, evidence.GetByRole(AriaRole.Link, new() { Name = "nginx.conf.txt" })));
        Assert.Equal(s_png, await DownloadAsync(page, evidence.GetByRole(AriaRole.Link, new() { Name = "dashboard.png" })));
        await session.CheckPageAsync("service-review-item");

        // The audit trail of all that, and the edit page.
        var servicePages = page.GetByRole(AriaRole.Navigation, new() { Name = "Service pages" });
        await servicePages.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"History of {serviceName}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText(EventCount())).ToBeVisibleAsync();
        await session.CheckPageAsync("service-history");
        await servicePages.GetByRole(AriaRole.Link, new() { Name = "Overview and review" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit service" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit {serviceName}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(serviceName);
        await session.CheckPageAsync("service-edit");

        // The list shows the service with its review score and tags.
        await page.GetByRole(AriaRole.Link, new() { Name = "Services", Exact = true }).ClickAsync();
        var card = page.GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = serviceName }) });
        await Expect(card).ToContainTextAsync($"Review: {afterTwo}%");
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = "Show services tagged browser" })).ToBeVisibleAsync();
        await session.CheckPageAsync("services");
        session.AssertClean();
    }

    [Fact]
    public async Task A_completed_review_is_followed_by_a_new_one_started_on_the_same_page()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "review-again");
        var page = session.Page;
        var serviceId = await StartAReviewOfANewServiceAsync(session, "browser-review-again");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete review" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, complete and freeze the review" }).ClickAsync();
        await Expect(page.GetByText("This review is completed and frozen.")).ToBeVisibleAsync();

        // The second start is a new request, not a retry of the first: it must not replay the first review.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start a new review" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Complete review" })).ToBeVisibleAsync();
        await Expect(page.GetByText("This review is completed and frozen.")).ToHaveCountAsync(0);
        var reviews = await session.ApiGetAsync($"/api/services/{serviceId}/reviews");
        Assert.Equal(["Open", "Completed"], reviews.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("state").GetString()));
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
        session.AssertClean();
    }

    [Fact]
    public async Task The_reviews_page_lists_every_review_newest_first_and_opens_a_completed_one_as_it_was_frozen()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "reviews-page");
        var page = session.Page;
        var serviceId = await StartAReviewOfANewServiceAsync(session, "browser-reviews-page");
        var item = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));
        await page.GetByLabel($"Status of {item}").SelectOptionAsync("Done");
        await Expect(page.Locator("#review-score")).Not.ToHaveTextAsync("0%");
        var frozenScore = await page.Locator("#review-score").TextContentAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete review" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, complete and freeze the review" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start a new review" }).ClickAsync();
        await Expect(page.Locator("#review-score")).ToHaveTextAsync("0%");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Service pages" }).GetByRole(AriaRole.Link, new() { Name = "Reviews" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Region, new() { Name = "Reviews table" }).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0).GetByRole(AriaRole.Cell).First).ToHaveTextAsync("Open");
        await Expect(rows.Nth(1).GetByRole(AriaRole.Cell).First).ToHaveTextAsync("Completed");
        await Expect(rows.Nth(1)).ToContainTextAsync(frozenScore!);
        await session.CheckPageFitsAsync("service-reviews");

        // The completed review: its items as they were frozen, nothing to change, and no new review to start from it.
        await rows.Nth(1).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByText("This review is completed and frozen.")).ToBeVisibleAsync();
        await Expect(page.Locator("#review-score")).ToHaveTextAsync(frozenScore!);
        await Expect(page.GetByLabel($"Status of {item}")).ToHaveValueAsync("Done");
        await Expect(page.GetByLabel($"Status of {item}")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start a new review" })).ToHaveCountAsync(0);
        await session.CheckPageAsync("service-review-completed");

        // A review's page under another service is not found, not the review shown with the wrong service's name.
        var reviewPath = new Uri(page.Url).AbsolutePath;
        var other = await session.ApiPostAsync("/api/services", new
        {
            teamId = (await session.ApiGetAsync($"/api/services/{serviceId}")).GetProperty("teamId").GetString(),
            name = "Other " + Guid.NewGuid().ToString("N")[..8],
            slug = "other-" + Guid.NewGuid().ToString("N")[..12],
            tier = "C",
        });
        await session.GotoAsync(reviewPath.Replace(serviceId, other.GetProperty("id").GetString(), StringComparison.Ordinal));
        await Expect(page.GetByText("Review not found")).ToBeVisibleAsync();
        session.AssertClean();
    }

    [Fact]
    public async Task A_second_status_change_before_the_review_reloads_is_saved_not_refused()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "status-twice");
        var page = session.Page;
        await StartAReviewOfANewServiceAsync(session, "browser-status-twice");
        var status = page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First;
        await Expect(status).ToHaveValueAsync("NotStarted");

        // The review's reloads wait: both changes go out with only the first one's answer in hand, as two arrow
        // presses on the list do.
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync(new Regex(@"/api/reviews/[0-9a-f-]+$"), async route =>
        {
            if (route.Request.Method == "GET")
            {
                await released.Task;
            }

            await route.ContinueAsync();
        });
        var first = await page.RunAndWaitForResponseAsync(() => status.SelectOptionAsync("InProgress"), IsItemPatch);
        Assert.Equal(200, first.Status);
        await Expect(status).ToBeEnabledAsync();
        var second = await page.RunAndWaitForResponseAsync(() => status.SelectOptionAsync("Done"), IsItemPatch);
        Assert.Equal(200, second.Status);

        released.SetResult();
        await Expect(status).ToHaveValueAsync("Done");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        session.AssertClean();
    }

    [Fact]
    public async Task A_status_changed_while_the_notes_save_is_saved_after_them_not_refused_as_stale()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "item-writes");
        var page = session.Page;
        await StartAReviewOfANewServiceAsync(session, "browser-item-writes");
        var status = page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First;
        var item = ItemId(await status.GetAttributeAsync("id"));
        await page.GetByText($"Notes, assignee, due date and evidence for {item}").ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = $"Notes on {item}" }).FillAsync("Saved while the status changes");
        var answers = new List<int>();
        var bothAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Response += (_, response) =>
        {
            if (IsItemPatch(response))
            {
                lock (answers)
                {
                    answers.Add(response.Status);
                    if (answers.Count == 2)
                    {
                        bothAnswered.TrySetResult();
                    }
                }
            }
        };

        // The notes' save is held on its way to the server while the status is changed: two parts of one item at once.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync(new Regex(@"/api/reviews/[0-9a-f-]+/items/"), async route =>
        {
            if (route.Request.Method == "PATCH" && route.Request.PostData?.Contains("\"notes\"", StringComparison.Ordinal) == true && held.TrySetResult())
            {
                await released.Task;
            }

            await route.ContinueAsync();
        });
        await page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" }).ClickAsync();
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await status.SelectOptionAsync("Done");
        released.SetResult();

        // Both saved: the status went after the notes, with the entity tag their save answered.
        await bothAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([200, 200], answers);
        await Expect(status).ToHaveValueAsync("Done");
        await Expect(page.Locator($"[id='item-{item}']")).ToContainTextAsync("has notes");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(status).ToHaveValueAsync("Done");
        await Expect(page.Locator($"[id='item-{item}']")).ToContainTextAsync("has notes");
        session.AssertClean();
    }

    [Fact]
    public async Task A_status_change_refused_because_someone_else_changed_the_item_shows_theirs_and_the_next_try_is_saved()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "status-stale");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 412 \(");
        var serviceId = await StartAReviewOfANewServiceAsync(session, "browser-status-stale");
        var item = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));
        var status = page.GetByLabel($"Status of {item}");
        await Expect(status).ToHaveValueAsync("NotStarted");

        // Someone else marks the item done, after the page read it.
        var reviewId = (await session.ApiGetAsync($"/api/services/{serviceId}/reviews")).GetProperty("items")[0].GetProperty("id").GetString();
        var itemPath = $"/api/reviews/{reviewId}/items/{Uri.EscapeDataString(item)}";
        var theirs = (await session.ApiGetAsync($"/api/reviews/{reviewId}")).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("itemId").GetString() == item);
        await session.ApiPatchAsync(itemPath, new { status = "Done" }, theirs.GetProperty("etag").GetString()!);

        // Refused, said in words, and the item shows their change.
        var refused = await page.RunAndWaitForResponseAsync(() => status.SelectOptionAsync("InProgress"), IsItemPatch);
        Assert.Equal(412, refused.Status);
        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = $"The status of {item} could not be saved" });
        await Expect(alert).ToContainTextAsync("Someone else changed this item meanwhile; it now shows their change.");
        await Expect(alert).Not.ToContainTextAsync("ETag");
        await Expect(status).ToHaveValueAsync("Done");

        // The next try sends the entity tag of their change: saved, not refused again.
        await Expect(status).ToBeEnabledAsync();
        var saved = await page.RunAndWaitForResponseAsync(() => status.SelectOptionAsync("InProgress"), IsItemPatch);
        Assert.Equal(200, saved.Status);
        await Expect(alert).ToHaveCountAsync(0);
        await session.GotoAsync($"/services/{serviceId}");
        await Expect(status).ToHaveValueAsync("InProgress");
        session.AssertClean();
    }

    [Fact]
    public async Task Notes_typed_while_their_save_is_on_its_way_stay_in_the_form_and_in_the_draft()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "notes-typed-while-saving");
        var page = session.Page;
        await StartAReviewOfANewServiceAsync(session, "browser-notes-typed-while-saving");
        var item = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));
        await page.GetByText($"Notes, assignee, due date and evidence for {item}").ClickAsync();
        var notes = page.GetByRole(AriaRole.Textbox, new() { Name = $"Notes on {item}" });
        await notes.FillAsync("First line");

        // The save is held on its way to the server while the reader types on.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync(new Regex(@"/api/reviews/[0-9a-f-]+/items/"), async route =>
        {
            if (route.Request.Method == "PATCH" && held.TrySetResult())
            {
                await released.Task;
            }

            await route.ContinueAsync();
        });
        await page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" }).ClickAsync();
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await notes.PressAsync("End");
        await notes.PressSequentiallyAsync(" and a second thought");
        var saved = await page.RunAndWaitForResponseAsync(
            () =>
            {
                released.SetResult();
                return Task.CompletedTask;
            },
            IsItemPatch);
        Assert.Equal(200, saved.Status);

        // The first line is saved; the text typed since is neither erased nor forgotten, and saves next.
        await Expect(page.Locator(".sr-status")).ToContainTextAsync($"{item} saved.");
        await Expect(page.Locator($"[id='item-{item}']")).ToContainTextAsync("has notes");
        await Expect(notes).ToHaveValueAsync("First line and a second thought");
        Assert.Equal(1, await DraftCountAsync(page));
        var second = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" }).ClickAsync(), IsItemPatch);
        Assert.Equal(200, second.Status);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" })).ToBeDisabledAsync();
        Assert.Equal(0, await DraftCountAsync(page));
        await page.ReloadAsync();
        await page.GetByText($"Notes, assignee, due date and evidence for {item}").ClickAsync();
        await Expect(notes).ToHaveValueAsync("First line and a second thought");
        session.AssertClean();
    }

    [Fact]
    public async Task A_change_whose_reloads_fail_keeps_the_page_and_the_notes_being_typed_and_says_it_may_be_out_of_date()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "reload-failed");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 503 \(");
        await StartAReviewOfANewServiceAsync(session, "browser-reload-failed");
        var statuses = page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() });
        var changed = ItemId(await statuses.Nth(0).GetAttributeAsync("id"));
        var typed = ItemId(await statuses.Nth(1).GetAttributeAsync("id"));
        await page.GetByText($"Notes, assignee, due date and evidence for {typed}").ClickAsync();
        var notes = page.GetByRole(AriaRole.Textbox, new() { Name = $"Notes on {typed}" });
        await notes.FillAsync("Half a thought, not saved yet");

        // Every read of the service and its review fails from now on; the change itself goes through.
        await page.RouteAsync(new Regex("/api/(services|reviews|teams)(/|$)"), route =>
            route.Request.Method == "GET" ? BrowserSession.AnswerUnavailableAsync(route) : route.ContinueAsync());
        var saved = await page.RunAndWaitForResponseAsync(() => page.GetByLabel($"Status of {changed}").SelectOptionAsync("Done"), IsItemPatch);
        Assert.Equal(200, saved.Status);

        var alerts = page.GetByRole(AriaRole.Alert);
        await Expect(alerts.Filter(new() { HasText = "The service could not be brought up to date" })).ToContainTextAsync("The database did not answer.");
        await Expect(alerts.Filter(new() { HasText = "The review could not be brought up to date" })).ToContainTextAsync("The database did not answer.");
        await Expect(notes).ToHaveValueAsync("Half a thought, not saved yet");
        // What changed is heard, not a score that is the old one.
        await Expect(page.Locator(".sr-status")).ToHaveTextAsync($"{changed} is now done.");
        await session.CheckPageAsync("service-reload-failed");
        session.AssertClean();
    }

    [Fact]
    public async Task After_a_change_whose_reload_failed_the_item_shows_it_and_its_next_edit_is_not_refused_as_stale()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "reload-failed-edit");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 503 \(");
        var serviceId = await StartAReviewOfANewServiceAsync(session, "browser-reload-failed-edit");
        var item = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));
        var status = page.GetByLabel($"Status of {item}");

        // Every read of the service and its review fails from now on; the writes go through.
        var reads = new Regex("/api/(services|reviews|teams)(/|$)");
        await page.RouteAsync(reads, route => route.Request.Method == "GET" ? BrowserSession.AnswerUnavailableAsync(route) : route.ContinueAsync());
        var changed = await page.RunAndWaitForResponseAsync(() => status.SelectOptionAsync("InProgress"), IsItemPatch);
        Assert.Equal(200, changed.Status);
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The review could not be brought up to date" })).ToBeVisibleAsync();
        // The status the server answered with, not the one the failed reload would have put back.
        await Expect(status).ToHaveValueAsync("InProgress");

        // The next edit of the item sends the tag the change answered with: saved, not 412.
        await page.GetByText($"Notes, assignee, due date and evidence for {item}").ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = $"Notes on {item}" }).FillAsync("Written after the status change");
        var notesSaved = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" }).ClickAsync(), IsItemPatch);
        Assert.Equal(200, notesSaved.Status);
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = $"{item} could not be saved" })).ToHaveCountAsync(0);

        // Both are what the server holds once it can be read again.
        await page.UnrouteAsync(reads);
        await session.GotoAsync($"/services/{serviceId}");
        await Expect(status).ToHaveValueAsync("InProgress");
        await Expect(page.Locator($"[id='item-{item}']")).ToContainTextAsync("has notes");
        session.AssertClean();
    }

    [Fact]
    public async Task Notes_being_typed_when_the_session_expired_are_back_after_signing_in_again()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "notes-expired");
        var page = session.Page;
        var serviceId = await StartAReviewOfANewServiceAsync(session, "browser-notes-expired");
        var email = (await session.ApiGetAsync("/api/account/session")).GetProperty("account").GetProperty("email").GetString()!;
        var item = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));
        await page.GetByText($"Notes, assignee, due date and evidence for {item}").ClickAsync();
        var notes = page.GetByRole(AriaRole.Textbox, new() { Name = $"Notes on {item}" });
        await notes.FillAsync("Typed while the session ran out");
        await SaveAfterTheSessionExpiredAndSignInAgainAsync(session, email, page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" }), "/api/reviews/");

        // Back on the service, the item's details are open with the notes as they were typed, and they save.
        await Expect(notes).ToHaveValueAsync("Typed while the session ran out");
        var saved = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = $"Save {item}" }).ClickAsync(), IsItemPatch);
        Assert.Equal(200, saved.Status);
        await Expect(page.Locator($"[id='item-{item}']")).ToContainTextAsync("has notes");
        // Saved, the draft is gone as soon as the page shows the save: a page left at once does not keep it.
        Assert.Equal(0, await DraftCountAsync(page));

        // The next visit opens nothing by itself.
        await session.GotoAsync($"/services/{serviceId}");
        await Expect(page.Locator($"[id='item-{item}']")).ToContainTextAsync("has notes");
        await Expect(notes).ToHaveCountAsync(0);
        Assert.Equal(0, await DraftCountAsync(page));
        session.AssertClean();
    }

    [Fact]
    public async Task A_waiver_reason_and_a_services_edits_typed_when_the_session_expired_are_back_after_signing_in_again()
    {
        const string Typed = "Typed while the session ran out";
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "forms-expired");
        var page = session.Page;
        var serviceId = await StartAReviewOfANewServiceAsync(session, "browser-forms-expired");
        var email = (await session.ApiGetAsync("/api/account/session")).GetProperty("account").GetProperty("email").GetString()!;
        var item = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));

        // A waiver's reason: the form is open again with it, and the request goes.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Request waiver for {item}" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = $"Request a waiver for {item}" });
        var request = form.GetByRole(AriaRole.Button, new() { Name = "Request waiver", Exact = true });
        await form.GetByLabel("Reason").FillAsync(Typed);
        await SaveAfterTheSessionExpiredAndSignInAgainAsync(session, email, request, "/api/reviews/");
        await Expect(form.GetByLabel("Reason")).ToHaveValueAsync(Typed);
        var requested = await page.RunAndWaitForResponseAsync(() => request.ClickAsync(), IsItemPatch);
        Assert.Equal(200, requested.Status);
        // The team's one owner names themselves: approved at once.
        await Expect(page.Locator($"[id='item-{item}'] .waiver")).ToContainTextAsync($"Waiver approved by you on ");

        // A service's edits, typed over a version someone else then changed: back on that version, so the save shows
        // their change instead of saving over it unseen.
        var path = $"/api/services/{serviceId}";
        await session.GotoAsync($"/services/{serviceId}/edit");
        var name = page.GetByLabel("Name", new() { Exact = true });
        var description = page.GetByLabel("Description", new() { Exact = true });
        await Expect(name).Not.ToHaveValueAsync("");
        await description.FillAsync(Typed);
        var before = await session.ApiGetAsync(path);
        var environments = new[] { new { name = "production", baseUrl = session.BaseAddress.AbsoluteUri, profile = "Web" } };
        await session.ApiPutAsync(path, new { name = before.GetProperty("name").GetString(), environments, tier = "A" }, before.GetProperty("etag").GetString()!);
        session.ExpectConsoleError(@"status of 412 \(");
        await SaveAfterTheSessionExpiredAndSignInAgainAsync(session, email, page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }), "/api/services/");
        await Expect(description).ToHaveValueAsync(Typed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        var conflict = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Someone else saved this service while you were editing it" });
        await Expect(conflict).ToContainTextAsync("They changed: tier.");
        await conflict.GetByRole(AriaRole.Button, new() { Name = "Save mine over theirs" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/services/{serviceId}$"));
        Assert.Equal(Typed, (await session.ApiGetAsync(path)).GetProperty("description").GetString());
        Assert.Equal(0, await DraftCountAsync(page));
        session.AssertClean();
    }

    [Fact]
    public async Task A_new_team_and_a_new_member_typed_when_the_session_expired_are_back_after_signing_in_again()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "team-forms-expired");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-team-forms-expired");
        using var colleague = await ProductUser.SignUpAsync(stack, "browser-team-forms-colleague");
        var email = (await session.ApiGetAsync("/api/account/session")).GetProperty("account").GetProperty("email").GetString()!;

        // The new team's name, and the slug made from it.
        var teamName = "Expired " + Guid.NewGuid().ToString("N")[..8];
        await session.GotoAsync("/teams");
        await page.GetByLabel("Team name").FillAsync(teamName);
        var slug = await page.GetByLabel("Team slug").InputValueAsync();
        Assert.NotEmpty(slug);
        await SaveAfterTheSessionExpiredAndSignInAgainAsync(session, email, page.GetByRole(AriaRole.Button, new() { Name = "Create team" }), "/api/teams");
        await Expect(page.GetByLabel("Team name")).ToHaveValueAsync(teamName);
        await Expect(page.GetByLabel("Team slug")).ToHaveValueAsync(slug);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create team" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = teamName, Level = 1 })).ToBeVisibleAsync();

        // The member's address and the role chosen for them.
        var form = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Add a member" }) });
        await form.GetByLabel("Email").FillAsync(colleague.Email);
        await form.GetByLabel("Role").SelectOptionAsync("Viewer");
        await SaveAfterTheSessionExpiredAndSignInAgainAsync(session, email, form.GetByRole(AriaRole.Button, new() { Name = "Add member" }), "/api/teams/");
        await Expect(form.GetByLabel("Email")).ToHaveValueAsync(colleague.Email);
        await Expect(form.GetByLabel("Role")).ToHaveValueAsync("Viewer");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = $"Role of {colleague.Email}" })).ToHaveValueAsync("Viewer");
        await Expect(form.GetByLabel("Email")).ToHaveValueAsync("");
        Assert.Equal(0, await DraftCountAsync(page));
        session.AssertClean();
    }

    [Fact]
    public async Task An_edit_saved_after_someone_elses_keeps_the_readers_changes_until_they_choose_mine_or_theirs()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "edit-conflict");
        var page = session.Page;
        var serviceId = await OpenScansOfANewServiceAsync(session, "browser-edit-conflict");
        var path = $"/api/services/{serviceId}";
        var environments = new[] { new { name = "production", baseUrl = session.BaseAddress.AbsoluteUri, profile = "Web" } };
        session.ExpectConsoleError(@"status of 412 \(");
        var name = page.GetByLabel("Name", new() { Exact = true });
        var description = page.GetByLabel("Description", new() { Exact = true });
        var conflict = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Someone else saved this service while you were editing it" });

        // Mine over theirs: they change the tags and the tier while I rename; my whole form is saved over theirs.
        await session.GotoAsync($"/services/{serviceId}/edit");
        await Expect(name).Not.ToHaveValueAsync("");
        var etag = (await session.ApiGetAsync(path)).GetProperty("etag").GetString()!;
        await session.ApiPutAsync(path, new { name = await name.InputValueAsync(), tags = s_theirTags, environments, tier = "A" }, etag);
        await name.FillAsync("Mine over theirs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(conflict).ToContainTextAsync("They changed: tags, tier.");
        await Expect(name).ToHaveValueAsync("Mine over theirs");
        await conflict.GetByRole(AriaRole.Button, new() { Name = "Save mine over theirs" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/services/{serviceId}$"));
        var saved = await session.ApiGetAsync(path);
        Assert.Equal("Mine over theirs", saved.GetProperty("name").GetString());
        Assert.Equal("C", saved.GetProperty("tier").GetString());
        Assert.Empty(saved.GetProperty("tags").EnumerateArray());

        // Theirs: they rename while I describe; I take their version, which the form then shows and saves from.
        await session.GotoAsync($"/services/{serviceId}/edit");
        await Expect(name).ToHaveValueAsync("Mine over theirs");
        await session.ApiPutAsync(path, new { name = "Theirs", environments, tier = "C" }, saved.GetProperty("etag").GetString()!);
        await description.FillAsync("mine, to be discarded");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(conflict).ToContainTextAsync("They changed: name.");
        await conflict.GetByRole(AriaRole.Button, new() { Name = "Discard mine and show theirs" }).ClickAsync();
        await Expect(conflict).ToHaveCountAsync(0);
        await Expect(name).ToHaveValueAsync("Theirs");
        await Expect(description).ToHaveValueAsync("");
        await description.FillAsync("mine, on theirs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/services/{serviceId}$"));
        saved = await session.ApiGetAsync(path);
        Assert.Equal("Theirs", saved.GetProperty("name").GetString());
        Assert.Equal("mine, on theirs", saved.GetProperty("description").GetString());
        session.AssertClean();
    }

    [Fact]
    public async Task A_new_service_sent_again_after_its_answer_was_lost_is_made_once_and_an_edited_one_is_not_refused()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "service-new-lost-answer");
        var page = session.Page;
        session.ExpectConsoleError("net::ERR_FAILED");
        await SignIn.NewUserAsync(session, stack, "browser-service-new-lost-answer");
        await session.ApiPostAsync("/api/teams", new { name = "Makers", slug = "team-" + Guid.NewGuid().ToString("N")[..12] });
        var prefix = "lost" + Guid.NewGuid().ToString("N")[..8];
        var name = page.GetByLabel("Name", new() { Exact = true });
        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create service" });
        var unanswered = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The service could not be created" });

        // The server makes the service, and its answer never reaches the page: the request goes on from the page's own
        // fetch (route.FetchAsync would not trust the stack's CA), and the page's is aborted.
        var lost = 0;
        await page.RouteAsync("**/api/services", async route =>
        {
            if (route.Request.Method == "POST" && Interlocked.Exchange(ref lost, 0) == 1)
            {
                var headers = route.Request.Headers.Where(h => h.Key is "content-type" or "x-csrf-token" or "idempotency-key").ToDictionary();
                var made = await page.EvaluateAsync<int>(
                    "async ([headers, body]) => (await fetch('/api/services', { method: 'POST', headers, body })).status",
                    new object[] { headers, route.Request.PostData! });
                Assert.Equal(201, made);
                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });

        // Sent again as it was: the first attempt's answer, not a second service.
        await session.GotoAsync("/services/new");
        await name.FillAsync($"{prefix} once");
        await page.GetByLabel("Environment 1 base URL").FillAsync("https://once.example.com");
        lost = 1;
        await create.ClickAsync();
        await Expect(unanswered).ToContainTextAsync("The server could not be reached.");
        await create.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{prefix} once", Level = 1 })).ToBeVisibleAsync();

        // Edited before it is sent again: another request, made, not refused as the lost one's key reused.
        await session.GotoAsync("/services/new");
        await name.FillAsync($"{prefix} draft");
        await page.GetByLabel("Environment 1 base URL").FillAsync("https://draft.example.com");
        lost = 1;
        await create.ClickAsync();
        await Expect(unanswered).ToContainTextAsync("The server could not be reached.");
        await name.FillAsync($"{prefix} final");
        await create.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{prefix} final", Level = 1 })).ToBeVisibleAsync();

        // The lost attempts were saved, each once: what the list shows the reader.
        var made = (await session.ApiGetAsync($"/api/services?search={prefix}&sort=name")).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString());
        Assert.Equal([$"{prefix} draft", $"{prefix} final", $"{prefix} once"], made);
        session.AssertClean();
    }

    [Fact]
    public async Task A_new_service_whose_teams_cannot_be_loaded_says_so_and_offers_a_retry_not_a_new_team()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "service-new-teams-failed");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 503 \(");
        await SignIn.NewUserAsync(session, stack, "browser-service-new-teams-failed");
        var teamId = (await session.ApiPostAsync("/api/teams", new { name = "Makers", slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        var teams = new Regex("/api/teams$");
        await page.RouteAsync(teams, BrowserSession.AnswerUnavailableAsync);

        await session.GotoAsync("/services/new");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The teams could not be loaded" })).ToContainTextAsync("The database did not answer.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Create a team" })).ToHaveCountAsync(0);
        await session.CheckPageAsync("service-new-teams-failed");

        await page.UnrouteAsync(teams);
        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(page.GetByLabel("Team", new() { Exact = true })).ToHaveValueAsync(teamId!);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        session.AssertClean();
    }

    [Fact]
    public async Task A_file_too_large_chosen_with_others_is_reported_while_the_others_upload()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "evidence-too-large");
        var page = session.Page;
        await StartAReviewOfANewServiceAsync(session, "browser-evidence-too-large");
        var first = ItemId(await page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First.GetAttributeAsync("id"));
        await page.GetByText($"Notes, assignee, due date and evidence for {first}").ClickAsync();
        var evidence = page.GetByRole(AriaRole.Region, new() { Name = $"Evidence for {first}" });

        // The large one first: the upload of the next one must not wipe its message.
        await evidence.GetByLabel($"Files to upload as evidence for {first}").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "big.pdf", MimeType = "application/pdf", Buffer = new byte[(10 * 1024 * 1024) + 1] },
            new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "fine\n"u8.ToArray() },
        });
        await Expect(evidence.GetByRole(AriaRole.Link, new() { Name = "notes.txt" })).ToBeVisibleAsync();
        var refusal = evidence.GetByRole(AriaRole.Alert);
        await Expect(refusal).ToContainTextAsync("big.pdf could not be uploaded");
        await Expect(refusal).ToContainTextAsync("evidence files can be at most 10 MiB");
        await Expect(evidence.GetByRole(AriaRole.Link, new() { Name = "big.pdf" })).ToHaveCountAsync(0);
        session.AssertClean();
    }

    [Fact]
    public async Task A_scan_of_the_local_stack_goes_from_queued_to_done_without_a_reload_and_shows_its_grade_and_chart()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "scan");
        var page = session.Page;
        await OpenScansOfANewServiceAsync(session, "browser-scan");
        await session.CheckPageAsync("scans-empty");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run scan" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Region, new() { Name = "Scans table" }).GetByRole(AriaRole.Row).Nth(1);
        await Expect(row).ToContainTextAsync("production");
        // Queued, then running, then done: the page polls; the scanner's own time is its own.
        await Expect(row.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("Completed", new() { Timeout = 120_000 });
        await Expect(row.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync(Grade());
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Score and grade over time" }).Locator("canvas").First).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
        await session.CheckPageAsync("scans-done");

        await row.GetByRole(AriaRole.Rowheader).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = ScanHeading(), Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageAsync("scan");
        session.AssertClean();
    }

    [Fact]
    public async Task A_scan_that_finishes_before_the_list_reloads_still_brings_its_chart_and_its_announcement()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "scan-quick");
        var page = session.Page;
        var serviceId = await OpenScansOfANewServiceAsync(session, "browser-scan-quick");

        // The list's loads after queueing wait until the scan has finished: the page never sees it queued or running.
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync(new Regex($"/api/services/{serviceId}/scans\\?"), async route =>
        {
            await finished.Task;
            await route.ContinueAsync();
        });
        var queued = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Run scan" }).ClickAsync(),
            response => response.Request.Method == "POST" && response.Url.EndsWith($"/api/services/{serviceId}/scans", StringComparison.Ordinal));
        var scanId = (await queued.JsonAsync())!.Value.GetProperty("id").GetInt64();
        await WaitUntilFinishedAsync(session, $"/api/services/{serviceId}/scans/{scanId}");
        finished.SetResult();

        var row = page.GetByRole(AriaRole.Region, new() { Name = "Scans table" }).GetByRole(AriaRole.Row).Nth(1);
        await Expect(row.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("Completed");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Score and grade over time" }).Locator("canvas").First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Scan {scanId} of production" }))
            .ToContainTextAsync($"Scan {scanId} of production finished: grade");
        session.AssertClean();
    }

    [Fact]
    public async Task A_scan_whose_progress_cannot_be_checked_says_so_and_the_pages_recover_when_the_checks_answer()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "scan-poll-errors");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 503 \(");
        var serviceId = await OpenScansOfANewServiceAsync(session, "browser-scan-poll-errors");
        var scanId = await InsertRunningScanAsync(serviceId, session.BaseAddress.AbsoluteUri);

        // The scan's own page: its checks fail, then answer again while it still runs.
        var detail = new Regex($"/api/services/{serviceId}/scans/{scanId}$");
        await session.GotoAsync($"/services/{serviceId}/scans/{scanId}");
        await Expect(page.GetByText("The scan is running; this page updates by itself.")).ToBeVisibleAsync();
        await page.RouteAsync(detail, BrowserSession.AnswerUnavailableAsync);
        var progress = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The scan's progress could not be checked; trying again" });
        await Expect(progress).ToContainTextAsync("The database did not answer.");
        await page.UnrouteAsync(detail);
        await Expect(progress).ToHaveCountAsync(0);
        await Expect(page.GetByText("The scan is running; this page updates by itself.")).ToBeVisibleAsync();

        // The list: its checks fail, the scan ends meanwhile, and the first check that answers shows how.
        var list = new Regex($"/api/services/{serviceId}/scans\\?page=");
        await session.GotoAsync($"/services/{serviceId}/scans");
        var row = page.GetByRole(AriaRole.Region, new() { Name = "Scans table" }).GetByRole(AriaRole.Row).Nth(1);
        await Expect(row).ToContainTextAsync("Running");
        await page.RouteAsync(list, BrowserSession.AnswerUnavailableAsync);
        var checks = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The scans in progress could not be checked; trying again" });
        await Expect(checks).ToContainTextAsync("The database did not answer.");
        await FailScanAsync(scanId, "stopped by the test");
        await page.UnrouteAsync(list);
        await Expect(row).ToContainTextAsync("stopped by the test");
        await Expect(checks).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Scan {scanId} of production failed." })).ToHaveCountAsync(1);
        session.AssertClean();
    }

    [Fact]
    public async Task A_slow_check_of_a_scan_does_not_bring_it_back_running_after_a_newer_check_showed_it_finished()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "scan-late-check");
        var page = session.Page;
        var serviceId = await OpenScansOfANewServiceAsync(session, "browser-scan-late-check");
        var scanId = await InsertRunningScanAsync(serviceId, session.BaseAddress.AbsoluteUri);
        var detail = new Regex($"/api/services/{serviceId}/scans/{scanId}$");
        await session.GotoAsync($"/services/{serviceId}/scans/{scanId}");
        await Expect(page.GetByText("The scan is running; this page updates by itself.")).ToBeVisibleAsync();

        // The next check is held back, and answers as the scan was when it went out; the checks after it see it end.
        var runningAnswer = (await session.ApiGetAsync($"/api/services/{serviceId}/scans/{scanId}")).GetRawText();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync(detail, async route =>
        {
            if (!held.TrySetResult())
            {
                await route.ContinueAsync();
                return;
            }

            await released.Task;
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = runningAnswer });
        });
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await FailScanAsync(scanId, "stopped by the test");
        var failed = page.GetByText("The scan failed: stopped by the test");
        await Expect(failed).ToBeVisibleAsync();

        // Recorded however briefly it shows: the next check would hide it again. And the moment the page has read
        // the held answer's body and done all it does with it (its promise continuations and Preact's render run as
        // microtasks, before the timer that marks it read).
        await page.EvaluateAsync("""
            (path) => {
              new MutationObserver(() => {
                if (document.body.textContent.includes("this page updates by itself")) window.runningAgain = true;
              }).observe(document.body, { childList: true, subtree: true, characterData: true });
              const text = Response.prototype.text;
              Response.prototype.text = function () {
                const read = text.call(this);
                if (new URL(this.url).pathname === path) read.then(() => setTimeout(() => { window.heldAnswerRead = true; }));
                return read;
              };
            }
            """, $"/api/services/{serviceId}/scans/{scanId}");
        released.SetResult();
        await page.WaitForFunctionAsync("() => window.heldAnswerRead === true");
        await page.EvaluateAsync("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
        Assert.False(await page.EvaluateAsync<bool>("() => window.runningAgain === true"), "the held answer showed the scan running again");
        await Expect(failed).ToBeVisibleAsync();
        session.AssertClean();
    }

    [Fact]
    public async Task Paging_the_scans_with_the_keyboard_keeps_the_focus_on_the_pager_and_says_which_page()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "scan-paging");
        var page = session.Page;
        var serviceId = await OpenScansOfANewServiceAsync(session, "browser-scan-paging");
        await using (var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness")))
        {
            // Eleven finished scans: one more than a page.
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO "Scans" ("ServiceId", "Environment", "TargetUrl", "Profile", "Trigger", "Status", "QueuedAt", "StartedAt", "FinishedAt", "Attempts", "Error")
                SELECT @service, 'production', @target, 'Web', 'Manual', 'Failed', now(), now(), now(), 1, 'seeded ' || n FROM generate_series(1, 11) AS n
                """, connection);
            insert.Parameters.AddWithValue("service", Guid.Parse(serviceId));
            insert.Parameters.AddWithValue("target", session.BaseAddress.AbsoluteUri);
            await insert.ExecuteNonQueryAsync();
        }

        await session.GotoAsync($"/services/{serviceId}/scans");
        var pager = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of scans" });
        var next = pager.GetByRole(AriaRole.Button, new() { Name = "Next page" });
        await Expect(pager.GetByText("Page 1 of 2")).ToBeVisibleAsync();
        await next.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        // The last page: the button that led there says it leads no further, and keeps the focus.
        await Expect(pager.GetByText("Page 2 of 2")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Scans table" }).GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(next).ToBeFocusedAsync();
        await Expect(next).ToHaveAttributeAsync("aria-disabled", "true");
        await page.Keyboard.PressAsync("Enter");
        await Expect(pager.GetByText("Page 2 of 2")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Shift+Tab");
        await Expect(pager.GetByRole(AriaRole.Button, new() { Name = "Previous page" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        // Heard where the focus stays: the page number is a live region.
        await Expect(pager.GetByRole(AriaRole.Status)).ToHaveTextAsync("Page 1 of 2");
        await Expect(pager.GetByRole(AriaRole.Button, new() { Name = "Previous page" })).ToBeFocusedAsync();
        await session.CheckPageAsync("scans-paged");
        session.AssertClean();
    }

    [Fact]
    public async Task A_scan_of_a_careless_site_shows_its_failing_findings_grouped_by_severity_each_with_its_fix()
    {
        await using var careless = await CarelessSite.StartAsync();
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "findings");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-findings");
        var team = await session.ApiPostAsync("/api/teams", new { name = "Findings", slug = "team-" + Guid.NewGuid().ToString("N")[..12] });
        var serviceId = (await session.ApiPostAsync("/api/services", new
        {
            teamId = team.GetProperty("id").GetString(),
            name = "Careless " + Guid.NewGuid().ToString("N")[..8],
            slug = "careless-" + Guid.NewGuid().ToString("N")[..12],
            environments = new[] { new { name = "legacy", baseUrl = careless.Url.AbsoluteUri, profile = "Web" } },
            tier = "C",
        })).GetProperty("id").GetString();
        var scanId = (await session.ApiPostAsync($"/api/services/{serviceId}/scans", new { environment = "legacy" })).GetProperty("id").GetInt64();

        // The page follows the scan until its report is in.
        await session.GotoAsync($"/services/{serviceId}/scans/{scanId}");
        var toFix = page.GetByRole(AriaRole.Region, new() { NameRegex = FindingsToFix() });
        await Expect(toFix).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await session.CheckPageAsync("scan-findings");

        // What the page shows is the report's failing findings, most severe first, each with its fix.
        var findings = (await session.ApiGetAsync($"/api/services/{serviceId}/scans/{scanId}")).GetProperty("report").GetProperty("findings").EnumerateArray()
            .Where(f => !f.GetProperty("passed").GetBoolean())
            .Select(f => (Title: f.GetProperty("title").GetString()!, Severity: f.GetProperty("severity").GetString()!, Fix: f.GetProperty("fix").GetString() ?? ""))
            .ToList();
        string[] severities = ["Critical", "High", "Medium", "Low", "Info"];
        var groups = severities.Select(severity => (Severity: severity, Findings: findings.Where(f => f.Severity == severity).ToList())).Where(g => g.Findings.Count > 0).ToList();
        Assert.True(groups.Count > 1, $"the careless site failed findings of {groups.Count} severities");
        await Expect(toFix.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync($"Findings to fix ({findings.Count})");
        var headings = groups.Select(g => $"{g.Severity} {g.Findings.Count} {(g.Findings.Count == 1 ? "finding" : "findings")}").ToList();
        await Expect(toFix.GetByRole(AriaRole.Heading, new() { Level = 3 })).ToHaveTextAsync(headings);
        foreach (var ((_, group), heading) in groups.Zip(headings))
        {
            var section = toFix.GetByRole(AriaRole.Region, new() { Name = heading, Exact = true });
            await Expect(section.Locator(".finding-title strong")).ToHaveTextAsync(group.Select(f => f.Title));
            await Expect(section.Locator(".fix")).ToHaveTextAsync(group.Where(f => f.Fix.Length > 0).Select(f => $"Fix: {f.Fix}"));
        }

        session.AssertClean();
    }

    [Fact]
    public async Task A_scan_of_a_url_that_is_no_environment_is_scanned_again_by_its_url()
    {
        await using var careless = await CarelessSite.StartAsync();
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "adhoc-again");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-adhoc");
        var team = await session.ApiPostAsync("/api/teams", new { name = "Ad hoc", slug = "team-" + Guid.NewGuid().ToString("N")[..12] });
        var serviceId = (await session.ApiPostAsync("/api/services", new
        {
            teamId = team.GetProperty("id").GetString(),
            name = "Elsewhere " + Guid.NewGuid().ToString("N")[..8],
            slug = "elsewhere-" + Guid.NewGuid().ToString("N")[..12],
            environments = new[] { new { name = "production", baseUrl = ProxyClient.HttpsBase(stack.App).AbsoluteUri } },
            tier = "C",
        })).GetProperty("id").GetString();
        var scanId = (await session.ApiPostAsync($"/api/services/{serviceId}/scans", new { url = careless.Url.AbsoluteUri })).GetProperty("id").GetInt64();

        await session.GotoAsync($"/services/{serviceId}/scans/{scanId}");
        var again = page.GetByRole(AriaRole.Button, new() { Name = "Scan adhoc again" });
        await again.ClickAsync(new() { Timeout = 120_000 });

        // The new scan is of the same URL, on a page of its own.
        await Expect(page).Not.ToHaveURLAsync(new Regex($"/scans/{scanId}$"));
        var next = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        var queued = (await session.ApiGetAsync($"/api/services/{serviceId}/scans/{next}")).GetProperty("scan");
        Assert.Equal(careless.Url.AbsoluteUri, queued.GetProperty("targetUrl").GetString());
        Assert.Equal("adhoc", queued.GetProperty("environment").GetString());
        session.AssertClean();
    }

    [Fact]
    public async Task A_waiver_requested_with_the_keyboard_on_a_phone_counts_once_the_owner_it_names_approves_it()
    {
        using var approver = await ProductUser.SignUpAsync(stack, "browser-approver");
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "waiver", width: 360, height: 780);
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-requester");
        // Team, second owner, service and review through the API: the pages that make them have their own tests.
        var teamId = (await session.ApiPostAsync("/api/teams", new { name = "Waivers", slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        await session.ApiPostAsync($"/api/teams/{teamId}/members", new { email = approver.Email, role = "Owner" });
        var serviceId = (await session.ApiPostAsync("/api/services", new
        {
            teamId,
            name = "Legacy " + Guid.NewGuid().ToString("N")[..8],
            slug = "legacy-" + Guid.NewGuid().ToString("N")[..12],
            environments = new[] { new { name = "production", baseUrl = "https://legacy.example.com", profile = "Web" } },
            tier = "C",
        })).GetProperty("id").GetString();
        await session.ApiPostAsync($"/api/services/{serviceId}/reviews", new { });

        await session.GotoAsync($"/services/{serviceId}");
        var score = page.Locator("#review-score");
        await Expect(score).ToHaveTextAsync("0%");
        var statuses = page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() });
        var total = await statuses.CountAsync();
        var waived = ItemId(await statuses.Nth(0).GetAttributeAsync("id"));
        var done = ItemId(await statuses.Nth(1).GetAttributeAsync("id"));
        await page.GetByLabel($"Status of {done}").SelectOptionAsync("Done");
        var oneOfAll = PercentText(1.0 / total);
        await Expect(score).ToHaveTextAsync(oneOfAll);

        // Requested with the keyboard alone: Enter opens the form, focus is in its first field, Tab goes on.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Request waiver for {waived}" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var form = page.GetByRole(AriaRole.Form, new() { Name = $"Request a waiver for {waived}" });
        await Expect(form.GetByLabel("Reason")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Retired next quarter; the replacement has it.");
        await page.Keyboard.PressAsync("Tab");
        // The other owner is the only approver to choose: a requester does not approve their own waiver.
        await Expect(form.GetByLabel("Approver")).ToBeFocusedAsync();
        await Expect(form.GetByLabel("Approver").Locator("option")).ToHaveTextAsync(new[] { approver.Email });
        await session.CheckPageFitsAsync("waiver-form");
        await form.GetByRole(AriaRole.Button, new() { Name = "Request waiver", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        // Pending: not counted yet, and only the approver may approve it.
        var item = page.Locator("li.item").Filter(new() { Has = page.GetByLabel($"Status of {waived}") });
        await Expect(item.Locator(".waiver")).ToContainTextAsync($"Waiver pending approval by {approver.Email}; requested by you");
        await Expect(page.Locator(".sr-status")).ToContainTextAsync($"Waiver of {waived} requested");
        await Expect(page.GetByLabel($"Status of {waived}")).ToHaveValueAsync("Waived");
        await Expect(item.GetByText("counts as not started")).ToBeVisibleAsync();
        await Expect(score).ToHaveTextAsync(oneOfAll);
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = ApproveWaiver() })).ToHaveCountAsync(0);
        await session.CheckPageFitsAsync("waiver-pending");

        // The approver, in a browser of their own, approves it with the keyboard: the item leaves the score's count.
        await using var approving = await BrowserSession.OpenAsync(chromium, stack, "waiver-approver");
        await SignIn.WithPasswordAsync(approving, approver.Email, check: false);
        await approving.GotoAsync($"/services/{serviceId}");
        var approverItem = approving.Page.Locator("li.item").Filter(new() { Has = approving.Page.GetByLabel($"Status of {waived}") });
        await approving.Page.GetByRole(AriaRole.Button, new() { Name = $"Approve waiver of {waived}" }).FocusAsync();
        await approving.Page.Keyboard.PressAsync("Enter");
        await Expect(approverItem.Locator(".waiver")).ToContainTextAsync("Waiver approved by you on ");
        await Expect(approverItem.GetByText("counts as not started")).ToHaveCountAsync(0);
        // Score: done / (items - waived).
        var oneOfTheRest = PercentText(1.0 / (total - 1));
        await Expect(approving.Page.Locator("#review-score")).ToHaveTextAsync(oneOfTheRest);
        await approving.CheckPageAsync("waiver-approved");
        approving.AssertClean();

        await page.ReloadAsync();
        await Expect(item.Locator(".waiver")).ToContainTextAsync($"Waiver approved by {approver.Email} on ");
        await Expect(score).ToHaveTextAsync(oneOfTheRest);
        session.AssertClean();
    }

    /// <summary>
    /// Ends the session as an expiry does (its cookie goes) and clicks <paramref name="save"/>: the write is refused,
    /// 400 for the antiforgery token bound to the user that was signed in, then 401 with a fresh one, and the page goes
    /// to sign in, where the same person signs in again and is sent back.
    /// </summary>
    private static async Task SaveAfterTheSessionExpiredAndSignInAgainAsync(BrowserSession session, string email, ILocator save, string refusedPath)
    {
        session.ExpectConsoleError($@"^Failed to load resource: the server responded with a status of 400 \(\) \(https://localhost:\d+{Regex.Escape(refusedPath)}");
        session.ExpectConsoleError(@"^Failed to load resource: the server responded with a status of 401 \(\) \(https://localhost:\d+/api/");
        await session.Context.ClearCookiesAsync(new() { Name = "__Host-ra-auth" });
        await save.ClickAsync();
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(SignIn.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>Drafts the tab keeps (lib/drafts.ts): none once everything typed is saved.</summary>
    private static Task<int> DraftCountAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Object.keys(sessionStorage).filter((key) => key.startsWith('readiness-draft:')).length");

    private static async Task<byte[]> DownloadAsync(IPage page, ILocator link)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        return await File.ReadAllBytesAsync(await download.PathAsync());
    }

    /// <summary>The answer to a change of a review item (status, notes, waiver request).</summary>
    private static bool IsItemPatch(IResponse response) => response.Request.Method == "PATCH" && response.Url.Contains("/items/", StringComparison.Ordinal);

    private static string ItemId(string? statusId) => statusId!["status-".Length..];

    private static int Percent(string? text) => int.Parse(text!.TrimEnd('%'), CultureInfo.InvariantCulture);

    /// <summary>A score as the page shows it: the API's, rounded to four places, as a whole percentage.</summary>
    private static string PercentText(double score) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Round(Math.Round(score, 4) * 100, MidpointRounding.AwayFromZero)}%");

    /// <summary>
    /// Signs a new user in, makes them a team and a service whose one environment, production, is this stack (through
    /// the API: the pages that make them have their own test), and opens the service's scans page, still empty.
    /// </summary>
    private async Task<string> OpenScansOfANewServiceAsync(BrowserSession session, string user)
    {
        await SignIn.NewUserAsync(session, stack, user);
        var team = await session.ApiPostAsync("/api/teams", new { name = "Scanners", slug = "team-" + Guid.NewGuid().ToString("N")[..12] });
        var service = await session.ApiPostAsync("/api/services", new
        {
            teamId = team.GetProperty("id").GetString(),
            name = "Self " + Guid.NewGuid().ToString("N")[..8],
            slug = "self-" + Guid.NewGuid().ToString("N")[..12],
            environments = new[] { new { name = "production", baseUrl = session.BaseAddress.AbsoluteUri, profile = "Web" } },
            tier = "C",
        });
        var serviceId = service.GetProperty("id").GetString()!;
        await session.GotoAsync($"/services/{serviceId}/scans");
        await Expect(session.Page.GetByText("No scans yet.")).ToBeVisibleAsync();
        return serviceId;
    }

    /// <summary>A new service of a new team, its page open with a review just started.</summary>
    private async Task<string> StartAReviewOfANewServiceAsync(BrowserSession session, string user)
    {
        var serviceId = await OpenScansOfANewServiceAsync(session, user);
        await session.GotoAsync($"/services/{serviceId}");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Start a review" }).ClickAsync();
        await Expect(session.Page.GetByRole(AriaRole.Combobox, new() { NameRegex = StatusOf() }).First).ToBeVisibleAsync();
        return serviceId;
    }

    /// <summary>
    /// A scan that stays running for as long as a test needs: claimed, under an hour's lease, by a worker that is not
    /// there, so no worker takes it over.
    /// </summary>
    private async Task<long> InsertRunningScanAsync(string serviceId, string targetUrl)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO "Scans" ("ServiceId", "Environment", "TargetUrl", "Profile", "Trigger", "Status", "QueuedAt", "StartedAt", "LeaseUntil", "ClaimToken", "Attempts")
            VALUES (@service, 'production', @target, 'Web', 'Manual', 'Running', now(), now(), now() + interval '1 hour', gen_random_uuid(), 1)
            RETURNING "Id"
            """, connection);
        insert.Parameters.AddWithValue("service", Guid.Parse(serviceId));
        insert.Parameters.AddWithValue("target", targetUrl);
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    /// <summary>Ends a scan of <see cref="InsertRunningScanAsync"/> as a worker that could not grade its target does.</summary>
    private async Task FailScanAsync(long scanId, string error)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var fail = new NpgsqlCommand("""
            UPDATE "Scans" SET "Status" = 'Failed', "FinishedAt" = now(), "LeaseUntil" = NULL, "ClaimToken" = NULL, "Error" = @error WHERE "Id" = @id
            """, connection);
        fail.Parameters.AddWithValue("id", scanId);
        fail.Parameters.AddWithValue("error", error);
        Assert.Equal(1, await fail.ExecuteNonQueryAsync());
    }

    /// <summary>Asks the API for the scan until it is neither queued nor running; the scanner's own time is its own.</summary>
    private static async Task WaitUntilFinishedAsync(BrowserSession session, string scanPath)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var status = (await session.ApiGetAsync(scanPath)).GetProperty("scan").GetProperty("status").GetString();
            if (status is not ("Queued" or "Running"))
            {
                Assert.Equal("Completed", status);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
        }
    }

    [GeneratedRegex("^Status of ")]
    private static partial Regex StatusOf();

    [GeneratedRegex(@"^Findings to fix \(\d+\)$")]
    private static partial Regex FindingsToFix();

    [GeneratedRegex("^Approve waiver")]
    private static partial Regex ApproveWaiver();

    [GeneratedRegex("[A-F][+-]?")]
    private static partial Regex Grade();

    [GeneratedRegex(@"^\d+ events, newest first\.$")]
    private static partial Regex EventCount();

    [GeneratedRegex(@"^Scan #\d+ of production$")]
    private static partial Regex ScanHeading();
}
