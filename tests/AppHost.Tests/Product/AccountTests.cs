using System.Net;
using System.Web;

namespace AppHost.Tests.Product;

/// <summary>Lockout after repeated failed sign-ins, and the password reset that ends it.</summary>
[Collection(StackTestGroup.Name)]
public sealed class AccountTests(StackFixture stack)
{
    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_and_a_password_reset_by_mail_unlocks_it()
    {
        using var user = await ProductUser.SignUpAsync(stack, "forgetful");
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
        // The code is single-use: the reset changed the security stamp it was bound to.
        await user.RefreshCsrfAsync();
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/account/reset-password", new { email = user.Email, code, newPassword = "yet another passphrase" });
    }
}
