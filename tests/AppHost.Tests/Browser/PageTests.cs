using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>Pages as a whole: the 404 page, and the main pages on a 360 px wide phone.</summary>
[Collection(StackTestGroup.Name)]
public sealed class PageTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task An_unknown_address_shows_the_not_found_page()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "not-found");
        // The document's own 404, which Chromium logs as a failed load: the one console error this page may have.
        session.ExpectConsoleError(@"^Failed to load resource: the server responded with a status of 404 \(\) \(https://localhost:\d+/no-such-page:");
        var response = await session.GotoAsync("/no-such-page");

        Assert.Equal(404, response!.Status);
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
        await Expect(session.Page).ToHaveTitleAsync("Page not found · ReadinessAspire");
        await session.CheckPageAsync("page");
        session.AssertClean();
    }

    [Fact]
    public async Task An_address_whose_escapes_are_not_utf8_shows_the_not_found_page()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "not-found-escape");
        // %FF decodes to no character: the router must treat it as no page, not fail before the app renders.
        await session.GotoAsync("/services/%FF");

        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageAsync("page");
        session.AssertClean();
    }

    [Fact]
    public async Task The_main_pages_fit_a_360_px_wide_screen()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "narrow", width: 360, height: 780);
        var page = session.Page;
        await session.GotoAsync("/sign-in");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageFitsAsync("sign-in");
        await session.GotoAsync("/sign-up");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create an account", Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageFitsAsync("sign-up");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).First.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reset your password", Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageFitsAsync("forgot-password");

        // A long address (45 characters with no break point), which the account page must wrap.
        var email = $"n{Guid.NewGuid():N}" + "@example.com";
        await SignIn.SignUpAsync(session, stack, email, check: false);
        await SignIn.WithPasswordAsync(session, email, check: false);
        await session.CheckPageFitsAsync("services");
        await session.GotoAsync("/account");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Account", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("You have no tokens yet.")).ToBeVisibleAsync();
        await session.CheckPageFitsAsync("account");
        session.AssertClean();
    }
}
