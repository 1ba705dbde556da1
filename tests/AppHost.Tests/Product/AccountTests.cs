using System.Net;
using System.Net.Http.Json;
using System.Web;

namespace AppHost.Tests.Product;

/// <summary>Lockout after repeated failed sign-ins, and the password reset that ends it; the session as the web UI sees it.</summary>
[Collection(StackTestGroup.Name)]
public sealed class AccountTests(StackFixture stack)
{
    private static readonly string[] s_read = ["read"];

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_and_a_password_reset_by_mail_unlocks_it()
    {
        using var user = await ProductUser.SignUpAsync(stack, "forgetful");
        // A token minted by a session before the reset, as someone who held that session could have.
        var minted = (await user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "before the reset", scopes = s_read }))!;
        using var scripted = ProductUser.WithToken(stack, minted["token"]!.GetValue<string>());
        await scripted.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/services");
        var wrong = new { email = user.Email, password = "not the password at all" };

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var failed = await user.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/sign-in", wrong);
            Assert.Equal("The email or password is wrong.", failed!["detail"]!.GetValue<string>());
        }

        var locked = await user.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/sign-in", wrong);
        Assert.StartsWith("Too many failed sign-ins", locked!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // Locked: even the right password is refused now.
        var stillLocked = await user.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/sign-in", new { email = user.Email, password = ProductUser.Password });
        Assert.StartsWith("Too many failed sign-ins", stillLocked!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // An unknown address gets the same answer as a known one.
        var unknown = await user.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/forgot-password", new { email = $"nobody-{Guid.NewGuid():N}@example.com" });
        var known = await user.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/forgot-password", new { email = user.Email });
        Assert.Equal(unknown!.ToJsonString(), known!.ToJsonString());

        var link = new Uri(await ProductUser.MailedLinkAsync(stack.DataDirectory, "password-reset", user.Email));
        var code = HttpUtility.ParseQueryString(link.Query)["code"]!;
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/account/reset-password", new { email = user.Email, code = code + "x", newPassword = "a brand new passphrase" });
        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/account/reset-password", new { email = user.Email, code, newPassword = "a brand new passphrase" });

        await user.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/sign-in", new { email = user.Email, password = ProductUser.Password });
        await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/sign-in", new { email = user.Email, password = "a brand new passphrase" });
        // The reset ended the token with the sessions.
        await scripted.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/services");
        var revoked = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/tokens"))!.AsArray().Single(t => t!["id"]!.GetValue<string>() == minted["details"]!["id"]!.GetValue<string>());
        Assert.NotNull(revoked!["revokedAt"]);
        // The code is single-use: the reset changed the security stamp it was bound to.
        await user.RefreshCsrfAsync();
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/account/reset-password", new { email = user.Email, code, newPassword = "yet another passphrase" });
    }

    [Fact]
    public async Task An_address_signed_up_but_never_confirmed_is_taken_back_by_its_mailbox_through_a_reset_link()
    {
        // Someone else (or the owner, whose confirmation mail was lost) signed the address up and never confirmed it.
        using var squatter = await ProductUser.AnonymousAsync(stack);
        var email = $"squatted-{Guid.NewGuid():N}@example.com";
        const string squattersPassword = "the squatter's passphrase";
        await squatter.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/sign-up", new { email, password = squattersPassword });
        await squatter.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/sign-in", new { email, password = squattersPassword });

        // Signing up again answers as for a new address, and the mailbox gets a reset link rather than a confirmation
        // of the first sign-up's password.
        using var owner = await ProductUser.AnonymousAsync(stack);
        var again = await owner.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/sign-up", new { email, password = ProductUser.Password });
        var fresh = await owner.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/sign-up",
            new { email = $"fresh-{Guid.NewGuid():N}@example.com", password = ProductUser.Password });
        Assert.Equal(fresh!.ToJsonString(), again!.ToJsonString());
        var link = new Uri(await ProductUser.MailedLinkAsync(stack.DataDirectory, "password-reset", email));
        var code = HttpUtility.ParseQueryString(link.Query)["code"]!;
        await owner.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/account/reset-password", new { email, code, newPassword = ProductUser.Password });

        // The reset confirmed the address and replaced the squatter's password.
        await squatter.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/sign-in", new { email, password = squattersPassword });
        var signedIn = await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/sign-in", new { email, password = ProductUser.Password });
        Assert.True(signedIn!["emailConfirmed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_session_answers_200_signed_in_or_not_and_a_browser_following_the_confirmation_link_lands_on_sign_in()
    {
        using var browser = await ProductUser.AnonymousAsync(stack);
        var email = $"browser-{Guid.NewGuid():N}@example.com";
        var anonymous = (await browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/session"))!;
        Assert.False(anonymous["signedIn"]!.GetValue<bool>());
        Assert.Null(anonymous["account"]);

        await browser.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/sign-up", new { email, password = ProductUser.Password });
        var link = new Uri(await ProductUser.MailedLinkAsync(stack.DataDirectory, "confirmation", email));
        var asBrowser = new Dictionary<string, string> { ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
        using (var followed = await browser.SendAsync(HttpMethod.Get, link.PathAndQuery, headers: asBrowser))
        {
            Assert.Equal(HttpStatusCode.Found, followed.StatusCode);
            Assert.Equal("/sign-in?confirmed=1", followed.Headers.Location?.OriginalString);
        }

        using (var again = await browser.SendAsync(HttpMethod.Get, link.PathAndQuery + "x", headers: asBrowser))
        {
            Assert.Equal("/sign-in?confirmed=0", again.Headers.Location?.OriginalString);
        }

        await browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/sign-in", new { email, password = ProductUser.Password });
        using var session = await browser.SendAsync(HttpMethod.Get, "/api/account/session");
        Assert.Equal("no-store", session.Headers.CacheControl?.ToString());
        var signedIn = (await session.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!;
        Assert.True(signedIn["signedIn"]!.GetValue<bool>());
        Assert.Equal(email, signedIn["account"]!["email"]!.GetValue<string>());
    }
}
