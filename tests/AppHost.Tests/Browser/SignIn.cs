using AppHost.Tests.Product;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>The account pages' steps as a person takes them, shared by the browser tests.</summary>
internal static class SignIn
{
    public const string Password = ProductUser.Password;

    /// <summary>A new address for one test: the stack is shared, its database never empty.</summary>
    public static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}@example.com";

    /// <summary>Signs up on the sign-up page and opens the confirmation link the stack "mailed" (to the WebApi's log).</summary>
    public static async Task SignUpAsync(BrowserSession session, StackFixture stack, string email, bool check = true)
    {
        var page = session.Page;
        await session.GotoAsync("/sign-up");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create an account", Level = 1 })).ToBeVisibleAsync();
        if (check)
        {
            await session.CheckPageAsync("sign-up");
        }

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(email);
        if (check)
        {
            await session.CheckPageAsync("sign-up-sent");
        }

        // The link is the API's (it answers JSON), as the mail would carry it.
        var link = await ProductUser.MailedLinkAsync(stack.DataDirectory, "confirmation", email);
        var confirmed = await session.GotoAsync(link);
        Assert.True(confirmed is { Ok: true }, $"confirmation link answered {confirmed?.Status}");
    }

    /// <summary>Signs in with the password on the sign-in page and waits for the services page.</summary>
    public static async Task WithPasswordAsync(BrowserSession session, string email, bool check = true)
    {
        var page = session.Page;
        await session.GotoAsync("/sign-in");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        if (check)
        {
            await session.CheckPageAsync("sign-in");
        }

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Services", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>A confirmed account made through the API (the sign-up page has its own test), signed in on the sign-in page.</summary>
    public static async Task<string> NewUserAsync(BrowserSession session, StackFixture stack, string name)
    {
        using var user = await ProductUser.SignUpAsync(stack, name);
        await WithPasswordAsync(session, user.Email, check: false);
        return user.Email;
    }
}
