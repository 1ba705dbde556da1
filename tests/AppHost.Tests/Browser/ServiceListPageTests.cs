using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>The list of services: its pages, and what a search says, for the eye and for a screen reader.</summary>
[Collection(StackTestGroup.Name)]
public sealed class ServiceListPageTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const int PageSize = 20;

    [Fact]
    public async Task The_next_page_link_starts_focus_over_at_the_heading_and_a_search_that_matches_nothing_is_said()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "service-list");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-service-list");
        var teamId = (await session.ApiPostAsync("/api/teams", new { name = "Listers", slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        var prefix = "lst" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i <= PageSize; i++)
        {
            await session.ApiPostAsync("/api/services", new { teamId, name = $"{prefix} {i:D2}", slug = $"{prefix}-{i:D2}" });
        }

        await session.GotoAsync($"/services?search={prefix}");
        // The list's status line, not the loading indicator, which is a status of its own while it shows.
        var status = page.GetByRole(AriaRole.Status).Filter(new() { HasNotText = "Loading" });
        await Expect(status).ToHaveTextAsync($"{PageSize + 1} services matching “{prefix}”");
        var pager = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of services" });
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();

        // The last page has no "Next page" to keep focus on: it starts over at the heading, not at the document.
        await Expect(pager).ToContainTextAsync($"Page 2 of 2");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Services", Level = 1 })).ToBeFocusedAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"{prefix} {PageSize:D2}" })).ToHaveCountAsync(1);

        // No match is said in the same status line a match is said in, which a screen reader follows.
        await page.GetByLabel("Search services").FillAsync($"{prefix}-none");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync($"No service matches “{prefix}-none”.");
        await Expect(pager).ToHaveCountAsync(0);
        await session.CheckPageAsync("services-no-match");
        session.AssertClean();
    }

    [Fact]
    public async Task A_page_past_the_last_service_says_so_and_leads_back_to_the_first()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "service-list-past-end");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-service-list-past-end");
        var teamId = (await session.ApiPostAsync("/api/teams", new { name = "Listers", slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        var prefix = "end" + Guid.NewGuid().ToString("N")[..8];
        await session.ApiPostAsync("/api/services", new { teamId, name = $"{prefix} only", slug = $"{prefix}-only" });

        // A link to page 3, say kept from when there were more services.
        await session.GotoAsync($"/services?search={prefix}&page=3");
        await Expect(page.GetByText("This page is past the last service.")).ToBeVisibleAsync();
        await session.CheckPageAsync("services-past-end");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to page 1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{prefix} only" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/services\\?search={prefix}$"));
        session.AssertClean();
    }
}
