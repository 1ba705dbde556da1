using System.Net;
using AppHost.Tests.Product;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>Sign-up, sign-in (password, keyboard alone, passkey) and tokens, in Chromium through nginx over HTTPS.</summary>
[Collection(StackTestGroup.Name)]
public sealed class AccountPageTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_session_check_that_fails_at_load_offers_a_retry_not_the_sign_in_page()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "session-unavailable");
        var page = session.Page;
        var email = await SignIn.NewUserAsync(session, stack, "browser-session-unavailable");

        // The API restarting as the page loads: the cookie is still valid, so the reader is not sent to sign in.
        await AnswerUnavailableAsync(session, "/api/account/session");
        await session.GotoAsync("/account");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The server could not be reached", Level = 1 })).ToBeVisibleAsync();
        Assert.EndsWith("/account", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        await page.UnrouteAllAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();
        session.AssertClean();
    }

    [Fact]
    public async Task A_sign_out_the_server_did_not_take_leaves_the_browser_signed_in_and_says_so()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "sign-out-failed");
        var page = session.Page;
        var email = await SignIn.NewUserAsync(session, stack, "browser-sign-out");
        await session.GotoAsync("/account");
        await Expect(page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();

        // The proxy sheds the sign-out (overload): the session cookie is still valid, so the page must not pretend.
        await AnswerUnavailableAsync(session, "/api/account/sign-out");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("You are still signed in: signing out failed");
        await Expect(page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();
        Assert.True((await session.ApiGetAsync("/api/account/session")).GetProperty("signedIn").GetBoolean());

        await page.UnrouteAllAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        Assert.False((await session.ApiGetAsync("/api/account/session")).GetProperty("signedIn").GetBoolean());
        session.AssertClean();
    }

    [Fact]
    public async Task A_new_user_signs_up_confirms_the_email_and_signs_in_with_the_password()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "sign-up");
        var email = SignIn.NewEmail("browser-sign-up");

        await SignIn.SignUpAsync(session, stack, email);
        await SignIn.WithPasswordAsync(session, email);
        await session.CheckPageAsync("services");

        await session.Page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Account", Level = 1 })).ToBeVisibleAsync();
        await Expect(session.Page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();
        await Expect(session.Page.GetByText("You have no tokens yet.")).ToBeVisibleAsync();
        await session.CheckPageAsync("account");
        session.AssertClean();
    }

    [Fact]
    public async Task A_forgotten_password_is_changed_from_the_mailed_link_and_the_new_one_signs_in()
    {
        const string newPassword = "a brand new browser passphrase";
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "reset");
        var page = session.Page;
        using var user = await ProductUser.SignUpAsync(stack, "browser-reset");

        await session.GotoAsync("/sign-in");
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reset your password", Level = 1 })).ToBeVisibleAsync();
        await session.CheckPageAsync("forgot-password");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"If {user.Email} has an account, a message with a reset link is on its way to it.");
        await session.CheckPageAsync("forgot-password-sent");

        // The mailed link opens the web UI's page, on the proxy's origin, as the mail would carry it.
        await session.GotoAsync(await ProductUser.MailedLinkAsync(stack.DataDirectory, "password-reset", user.Email));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText($"For {user.Email}.")).ToBeVisibleAsync();
        await session.CheckPageAsync("reset-password");
        await page.GetByLabel("New password").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password was changed. Sign in with the new one.");

        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Services", Level = 1 })).ToBeVisibleAsync();
        session.AssertClean();
    }

    [Fact]
    public async Task An_expired_session_goes_to_sign_in_and_back_to_the_page_afterwards()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "expired");
        var page = session.Page;
        var email = await SignIn.NewUserAsync(session, stack, "browser-expired");
        var name = "Expiry " + Guid.NewGuid().ToString("N")[..8];
        var teamId = (await session.ApiPostAsync("/api/teams", new { name, slug = "team-" + Guid.NewGuid().ToString("N")[..12] })).GetProperty("id").GetString();
        await page.GetByRole(AriaRole.Link, new() { Name = "Teams", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();

        // The session cookie goes, as when it expires: the next page's request answers 401, which Chromium logs.
        session.ExpectConsoleError(@"^Failed to load resource: the server responded with a status of 401 \(\) \(https://localhost:\d+/api/");
        await session.Context.ClearCookiesAsync(new() { Name = "__Host-ra-auth" });
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Your session has expired. Sign in again to go back to the page you were on.")).ToBeVisibleAsync();
        await session.CheckPageAsync("sign-in-expired");

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(SignIn.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Team {name}", Level = 1 })).ToBeVisibleAsync();
        Assert.EndsWith($"/teams/{teamId}", page.Url, StringComparison.Ordinal);
        session.AssertClean();
    }

    [Fact]
    public async Task The_sign_in_form_works_with_the_keyboard_alone()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "keyboard");
        using var user = await ProductUser.SignUpAsync(stack, "browser-keyboard");
        var page = session.Page;
        await session.GotoAsync("/sign-in");
        var email = page.GetByLabel("Email");
        await Expect(email).ToBeVisibleAsync();

        // First stop: the skip link, which takes focus past the navigation into the main content.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Expect(email).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(user.Email);
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Password")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(SignIn.Password);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Services", Level = 1 })).ToBeVisibleAsync();
        session.AssertClean();
    }

    [Fact]
    public async Task A_passkey_added_on_the_account_page_signs_the_user_in_without_the_password()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "passkey");
        var page = session.Page;
        // Chromium's virtual authenticator, as a platform authenticator with a screen lock that the user passes.
        var devtools = await session.Context.NewCDPSessionAsync(page);
        await devtools.SendAsync("WebAuthn.enable");
        var added = await devtools.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        var authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;
        var email = await SignIn.NewUserAsync(session, stack, "browser-passkey");

        await session.GotoAsync("/account");
        await page.GetByLabel("Passkey name").FillAsync("virtual");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "virtual was added" })).ToBeVisibleAsync();
        await session.CheckPageAsync("account-passkey-added");
        var credential = Assert.Single((await Credentials(devtools, authenticatorId)).EnumerateArray());
        Assert.True(credential.GetProperty("isResidentCredential").GetBoolean());
        var signCount = credential.GetProperty("signCount").GetInt32();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Services", Level = 1 })).ToBeVisibleAsync();

        // The authenticator signed: the sign-in was the passkey's.
        var used = Assert.Single((await Credentials(devtools, authenticatorId)).EnumerateArray());
        Assert.True(used.GetProperty("signCount").GetInt32() > signCount);
        await session.GotoAsync("/account");
        await Expect(page.GetByText($"Signed in as {email}.")).ToBeVisibleAsync();
        session.AssertClean();
    }

    /// <summary>From now on <paramref name="path"/> answers 503, as an overloaded or restarting API does; Chromium logs each.</summary>
    private static async Task AnswerUnavailableAsync(BrowserSession session, string path)
    {
        session.ExpectConsoleError($@"^Failed to load resource: the server responded with a status of 503 \(Service Unavailable\) \(https://localhost:\d+{path}");
        await session.Page.RouteAsync($"**{path}", route => route.FulfillAsync(new()
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"title":"Service Unavailable","status":503}""",
        }));
    }

    [Fact]
    public async Task A_token_is_shown_once_works_and_stops_working_when_revoked()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "tokens");
        var page = session.Page;
        await SignIn.NewUserAsync(session, stack, "browser-tokens");
        var name = $"ci-{Guid.NewGuid():N}"[..11];

        await session.GotoAsync("/account");
        await page.GetByLabel("Token name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Token “{name}” created" })).ToBeVisibleAsync();
        var token = await page.GetByLabel("New token").InputValueAsync();
        Assert.StartsWith("ra_pat_", token, StringComparison.Ordinal);
        await session.CheckPageAsync("account-token-created");
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(token));

        // Revoked from the page as it is, with the entity tag it was given before the use above.
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = name }) });
        await Expect(row.GetByRole(AriaRole.Cell).Nth(5)).ToHaveTextAsync("Active");
        var revoke = page.GetByRole(AriaRole.Button, new() { Name = $"Revoke token {name}" });
        var confirm = page.GetByRole(AriaRole.Button, new() { Name = $"Yes, revoke {name}" });
        // Asked, then not (Escape, or Cancel): focus goes back to the button that asked, and nothing is revoked.
        await revoke.ClickAsync();
        await Expect(confirm).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(revoke).ToBeFocusedAsync();
        await revoke.ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = $"Revoke token {name}" }).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(revoke).ToBeFocusedAsync();
        await Expect(row.GetByRole(AriaRole.Cell).Nth(5)).ToHaveTextAsync("Active");

        await revoke.ClickAsync();
        await confirm.ClickAsync();
        await Expect(row.GetByRole(AriaRole.Cell).Nth(5)).ToHaveTextAsync("Revoked");

        // Later: still revoked, and the secret is not shown again.
        await session.GotoAsync("/account");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(5)).ToHaveTextAsync("Revoked");
        await Expect(page.GetByLabel("New token")).ToHaveCountAsync(0);
        await session.CheckPageAsync("account-token-revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(token));
        session.AssertClean();
    }

    private static async Task<System.Text.Json.JsonElement> Credentials(ICDPSession devtools, string authenticatorId) =>
        (await devtools.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId }))!.Value.GetProperty("credentials");

    private async Task<HttpStatusCode> StatusWithTokenAsync(string token)
    {
        using var client = ProxyClient.Create(stack.App);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/services");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
