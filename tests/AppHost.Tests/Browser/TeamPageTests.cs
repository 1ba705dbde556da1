using System.Net;
using AppHost.Tests.Product;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>A team's members in the browser: added by address, given another role, removed; refusals as sentences.</summary>
[Collection(StackTestGroup.Name)]
public sealed class TeamPageTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task An_owner_adds_a_member_changes_their_role_and_removes_them()
    {
        using var member = await ProductUser.SignUpAsync(stack, "browser-member");
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "team-members");
        var page = session.Page;
        var ownerEmail = await SignIn.NewUserAsync(session, stack, "browser-team-owner");
        var name = "Members " + Guid.NewGuid().ToString("N")[..8];
        var teamId = (await session.ApiPostAsync("/api/teams", new { name, slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        var teamPath = $"/api/teams/{teamId}";
        // The two refusals below, which Chromium logs as failed loads.
        session.ExpectConsoleError($@"^Failed to load resource: the server responded with a status of 400 \(\) \(https://localhost:\d+{teamPath}/members:");
        session.ExpectConsoleError($@"^Failed to load resource: the server responded with a status of 409 \(\) \(https://localhost:\d+{teamPath}/members/");

        await session.GotoAsync($"/teams/{teamId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Team {name}", Level = 1 })).ToBeVisibleAsync();
        var table = page.GetByRole(AriaRole.Region, new() { Name = "Members table" });
        await Expect(table.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(new[] { $"{ownerEmail} (you)" });

        // An address without an account: the API's reason, beside the field.
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(SignIn.NewEmail("nobody"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The member could not be added");
        await Expect(page.GetByText("No account with a confirmed address has this email; ask the person to sign up and confirm it first.").First).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await session.CheckPageAsync("team-member-unknown");

        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(member.Email);
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("Viewer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        var memberRole = page.GetByLabel($"Role of {member.Email}");
        await Expect(memberRole).ToHaveValueAsync("Viewer");
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveValueAsync("");
        Assert.Equal("Viewer", await RoleAsync(member, teamPath));
        await session.CheckPageAsync("team-member-added");

        var changed = await page.RunAndWaitForResponseAsync(() => memberRole.SelectOptionAsync("Maintainer"),
            response => response.Request.Method == "PATCH" && response.Url.Contains("/members/", StringComparison.Ordinal));
        Assert.Equal(200, changed.Status);
        Assert.Equal("Maintainer", await RoleAsync(member, teamPath));
        await page.ReloadAsync();
        await Expect(memberRole).ToHaveValueAsync("Maintainer");

        // Two changes before the team reloads: the second goes out with the first one's answer, not the old tag.
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync($"**{teamPath}", async route =>
        {
            if (route.Request.Method == "GET")
            {
                await released.Task;
            }

            await route.ContinueAsync();
        });
        foreach (var role in new[] { "Viewer", "Maintainer" })
        {
            await Expect(memberRole).ToBeEnabledAsync();
            var twice = await page.RunAndWaitForResponseAsync(() => memberRole.SelectOptionAsync(role),
                response => response.Request.Method == "PATCH" && response.Url.Contains("/members/", StringComparison.Ordinal));
            Assert.Equal(200, twice.Status);
        }

        released.SetResult();
        await page.UnrouteAllAsync();
        Assert.Equal("Maintainer", await RoleAsync(member, teamPath));
        await Expect(memberRole).ToHaveValueAsync("Maintainer");

        // The team's only owner cannot step down: the API's reason, as a sentence.
        await page.GetByLabel($"Role of {ownerEmail}").SelectOptionAsync("Viewer");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A team must keep at least one owner; make someone else owner first.");
        await Expect(page.GetByLabel($"Role of {ownerEmail}")).ToHaveValueAsync("Owner");
        await session.CheckPageAsync("team-last-owner");

        // Two steps, the second one focused.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {member.Email}" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {member.Email}" });
        await Expect(confirm).ToBeFocusedAsync();
        await session.CheckPageAsync("team-member-remove");
        await page.Keyboard.PressAsync("Enter");
        await Expect(memberRole).ToHaveCountAsync(0);
        await Expect(table.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(new[] { $"{ownerEmail} (you)" });
        using (var gone = await member.SendAsync(HttpMethod.Get, teamPath))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        await session.CheckPageAsync("team-member-removed");
        session.AssertClean();
    }

    [Fact]
    public async Task A_member_added_while_the_team_cannot_be_reloaded_keeps_the_page_and_says_it_may_be_out_of_date()
    {
        using var member = await ProductUser.SignUpAsync(stack, "browser-member-reload");
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "team-reload-failed");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 503 \(");
        var ownerEmail = await SignIn.NewUserAsync(session, stack, "browser-team-reload-owner");
        var name = "Reload " + Guid.NewGuid().ToString("N")[..8];
        var teamId = (await session.ApiPostAsync("/api/teams", new { name, slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        await session.GotoAsync($"/teams/{teamId}");
        var table = page.GetByRole(AriaRole.Region, new() { Name = "Members table" });
        await Expect(table.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(new[] { $"{ownerEmail} (you)" });

        // The team's reload after the addition fails; the addition itself goes through.
        await page.RouteAsync($"**/api/teams/{teamId}", route =>
            route.Request.Method == "GET" ? BrowserSession.AnswerUnavailableAsync(route) : route.ContinueAsync());
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(member.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The team could not be brought up to date");
        await Expect(table.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(new[] { $"{ownerEmail} (you)" });
        await session.CheckPageAsync("team-reload-failed");
        session.AssertClean();
    }

    [Fact]
    public async Task A_role_change_refused_because_someone_else_changed_the_member_shows_theirs_and_the_next_try_is_saved()
    {
        using var member = await ProductUser.SignUpAsync(stack, "browser-member-stale");
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "team-stale");
        var page = session.Page;
        session.ExpectConsoleError(@"status of 412 \(");
        await SignIn.NewUserAsync(session, stack, "browser-team-stale-owner");
        var teamId = (await session.ApiPostAsync("/api/teams", new { name = "Stale " + Guid.NewGuid().ToString("N")[..8], slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        var teamPath = $"/api/teams/{teamId}";
        await session.ApiPostAsync($"{teamPath}/members", new { email = member.Email, role = "Viewer" });
        await session.GotoAsync($"/teams/{teamId}");
        var memberRole = page.GetByLabel($"Role of {member.Email}");
        await Expect(memberRole).ToHaveValueAsync("Viewer");

        // Another owner (here another tab) makes them a maintainer after the page read the team.
        var theirs = (await session.ApiGetAsync(teamPath)).GetProperty("members").EnumerateArray().Single(m => m.GetProperty("email").GetString() == member.Email);
        await session.ApiPatchAsync($"{teamPath}/members/{theirs.GetProperty("userId").GetString()}", new { role = "Maintainer" }, theirs.GetProperty("etag").GetString()!);

        // Refused, said in words, and the table shows their change.
        var refused = await page.RunAndWaitForResponseAsync(() => memberRole.SelectOptionAsync("Owner"), IsMemberPatch);
        Assert.Equal(412, refused.Status);
        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The role could not be changed" });
        await Expect(alert).ToContainTextAsync("Someone else changed this member meanwhile; it now shows their change.");
        await Expect(alert).Not.ToContainTextAsync("ETag");
        await Expect(memberRole).ToHaveValueAsync("Maintainer");

        // The next try sends the entity tag of their change: saved, not refused again.
        await Expect(memberRole).ToBeEnabledAsync();
        var saved = await page.RunAndWaitForResponseAsync(() => memberRole.SelectOptionAsync("Owner"), IsMemberPatch);
        Assert.Equal(200, saved.Status);
        await Expect(alert).ToHaveCountAsync(0);
        Assert.Equal("Owner", await RoleAsync(member, teamPath));
        session.AssertClean();
    }

    private static bool IsMemberPatch(IResponse response) => response.Request.Method == "PATCH" && response.Url.Contains("/members/", StringComparison.Ordinal);

    /// <summary>The member's role in the team, as the API tells the member.</summary>
    private static async Task<string> RoleAsync(ProductUser member, string teamPath) =>
        (await member.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, teamPath))!["myRole"]!.GetValue<string>();
}
