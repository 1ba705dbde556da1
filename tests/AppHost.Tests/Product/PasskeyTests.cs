using System.Net;
using System.Text.Json.Nodes;

namespace AppHost.Tests.Product;

/// <summary>Passkeys beside passwords, through the proxy: register one while signed in, then sign in with it alone.</summary>
[Collection(StackTestGroup.Name)]
public sealed class PasskeyTests(StackFixture stack)
{
    [Fact]
    public async Task A_registered_passkey_signs_the_user_in_and_a_forged_assertion_does_not()
    {
        var origin = ProxyClient.HttpsBase(stack.App).GetLeftPart(UriPartial.Authority);
        var asBrowser = new Dictionary<string, string> { ["Origin"] = origin };
        using var authenticator = new SoftwareAuthenticator(origin);
        using var user = await ProductUser.SignUpAsync(stack, "passkey");

        var creation = (await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/passkeys/creation-options", headers: asBrowser))!;
        Assert.Equal("localhost", creation["rp"]!["id"]!.GetValue<string>());
        await user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/account/passkeys",
            new { credentialJson = authenticator.Create(creation), name = "laptop" }, headers: asBrowser);
        // The registration ended its ceremony: the same answer again is refused.
        await user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/account/passkeys",
            new { credentialJson = authenticator.Create(creation), name = "again" }, headers: asBrowser);

        // A new browser: no cookies, no password, only the passkey.
        using var browser = await ProductUser.AnonymousAsync(stack);
        var request = (await browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/passkeys/request-options", headers: asBrowser))!;
        await browser.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/account/me");
        await browser.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/account/passkeys/sign-in",
            new { credentialJson = authenticator.Get(request) }, headers: asBrowser);
        var me = (await browser.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/account/me"))!;
        Assert.Equal(user.Email, me["email"]!.GetValue<string>());

        // Refused: an answer to another browser's challenge, an answer from another site's page, and an answer
        // with no sign-in under way. Each attempt ends the ceremony, so each asks for options of its own.
        using var other = await ProductUser.AnonymousAsync(stack);
        await other.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/passkeys/request-options", headers: asBrowser);
        await other.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/passkeys/sign-in", new { credentialJson = authenticator.Get(request) }, headers: asBrowser);
        var fresh = (await other.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/passkeys/request-options", headers: asBrowser))!;
        authenticator.Origin = "https://evil.example";
        await other.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/passkeys/sign-in", new { credentialJson = authenticator.Get(fresh) }, headers: asBrowser);
        authenticator.Origin = origin;
        var none = await other.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/api/account/passkeys/sign-in", new { credentialJson = authenticator.Get(fresh) }, headers: asBrowser);
        Assert.Contains("request-options first", none!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await other.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/account/me");
    }
}
