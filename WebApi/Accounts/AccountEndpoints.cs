using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WebApi.Caching;
using WebApi.Data;

namespace WebApi.Accounts;

/// <summary>
/// <c>/api/account</c>: sign-up with email confirmation, password and passkey sign-in, sign-out, password reset.
/// Answers never tell whether an email address has an account.
/// </summary>
public static class AccountEndpoints
{
    private const string Accepted = "If the address can receive mail, a message with a link is on its way.";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        var account = routes.MapGroup("/api/account").WithTags("Account");
        account.MapPost("/sign-up", SignUpAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit);
        // 302 to the web UI's sign-in page when a browser follows the mailed link (it accepts text/html).
        account.MapGet("/confirm-email", ConfirmEmailAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit)
            .Produces(StatusCodes.Status302Found);
        account.MapPost("/sign-in", SignInAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        account.MapPost("/sign-out", SignOutAsync).RequireAuthorization(AccessPolicies.Session);
        account.MapPost("/forgot-password", ForgotPasswordAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit);
        account.MapPost("/reset-password", ResetPasswordAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit);
        account.MapGet("/me", GetMeAsync).RequireAuthorization(AccessPolicies.Read);
        // Whether this browser is signed in, answered 200 either way: the web UI asks on every load, and a 401 there
        // would be an error in the browser's console for every visitor who is not.
        account.MapGet("/session", GetSessionAsync).AllowAnonymous();

        var passkeys = account.MapGroup("/passkeys");
        // WebAuthn's options, as Identity writes them: JSON whose shape is the browser's, not ours.
        passkeys.MapPost("/creation-options", PasskeyCreationOptionsAsync).RequireAuthorization(AccessPolicies.Session)
            .Produces<System.Text.Json.JsonElement>(StatusCodes.Status200OK, "application/json");
        passkeys.MapPost("/", AddPasskeyAsync).RequireAuthorization(AccessPolicies.Session);
        passkeys.MapPost("/request-options", PasskeyRequestOptionsAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit)
            .Produces<System.Text.Json.JsonElement>(StatusCodes.Status200OK, "application/json");
        passkeys.MapPost("/sign-in", PasskeySignInAsync).RequireRateLimiting(AccountExtensions.SignInRateLimit)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return routes;
    }

    private static async Task<Results<Accepted<AcceptedResponse>, ValidationProblem>> SignUpAsync(
        SignUpRequest request, UserManager<IdentityUser> users, IEmailSender<IdentityUser> email, IOptions<AccountOptions> options, HttpContext http,
        ReadinessDbContext db, IConfiguration configuration, IHostEnvironment environment, TimeProvider time)
    {
        if (await users.FindByEmailAsync(request.Email) is { } existing)
        {
            // Never confirmed: the first mail was lost or expired, or someone else signed the address up. The mailbox
            // gets a reset link, whose new password (not either sign-up's) also confirms the address.
            if (!await users.IsEmailConfirmedAsync(existing))
            {
                await SendPasswordResetAsync(existing, users, email, options.Value, http);
            }

            // Same answer as for a new address, so sign-up cannot be used to find out who has an account.
            return TypedResults.Accepted((string?)null, new AcceptedResponse(Accepted));
        }

        var user = new IdentityUser { UserName = request.Email, Email = request.Email };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            return TypedResults.ValidationProblem(created.Errors
                .GroupBy(error => error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "email")
                .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray()));
        }

        await SendConfirmationAsync(user, users, email, options.Value, http);
        if (DemoData.IsEnabled(configuration, environment))
        {
            await DemoData.JoinAsync(db, user.Id, time, http.RequestAborted);
        }

        return TypedResults.Accepted((string?)null, new AcceptedResponse(Accepted));
    }

    private static async Task<Results<Ok<AcceptedResponse>, ProblemHttpResult, RedirectHttpResult>> ConfirmEmailAsync(
        string userId, string code, UserManager<IdentityUser> users, HttpContext http)
    {
        var user = userId.Length <= 64 ? await users.FindByIdAsync(userId) : null;
        var confirmed = user is not null && TryDecode(code, out var token) && (await users.ConfirmEmailAsync(user, token)).Succeeded;
        if (IsBrowserNavigation(http.Request))
        {
            // Same origin: the proxy serves the web UI and the API together.
            return TypedResults.Redirect(confirmed ? "/sign-in?confirmed=1" : "/sign-in?confirmed=0");
        }

        if (!confirmed)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid confirmation link",
                detail: "The link is invalid or has expired. Sign up again, or ask for a password reset, to get a new one.");
        }

        return TypedResults.Ok(new AcceptedResponse("Email confirmed; you can sign in."));
    }

    /// <summary>A person following a link: the browser asks for HTML first, where API clients ask for JSON.</summary>
    private static bool IsBrowserNavigation(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && (type.Quality ?? 1) > 0);

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> SignInAsync(
        SignInRequest request, SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users)
    {
        var user = await users.FindByEmailAsync(request.Email);
        if (user is null)
        {
            return SignInFailed("The email or password is wrong.");
        }

        var result = await signIn.PasswordSignInAsync(user, request.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return SignInFailed("Too many failed sign-ins: the account is locked for a while. Reset the password or wait.");
        }

        if (result.IsNotAllowed)
        {
            return SignInFailed("Confirm the email address first, with the link that was sent to it.");
        }

        return result.Succeeded
            ? TypedResults.Ok(new AccountResponse(user.Id, user.Email!, user.EmailConfirmed))
            : SignInFailed("The email or password is wrong.");
    }

    private static async Task<NoContent> SignOutAsync(SignInManager<IdentityUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Accepted<AcceptedResponse>> ForgotPasswordAsync(
        EmailRequest request, UserManager<IdentityUser> users, IEmailSender<IdentityUser> email, IOptions<AccountOptions> options, HttpContext http)
    {
        // Confirmed or not: a reset also confirms the address, so a lost confirmation mail is not the end of an account.
        if (await users.FindByEmailAsync(request.Email) is { } user)
        {
            await SendPasswordResetAsync(user, users, email, options.Value, http);
        }

        return TypedResults.Accepted((string?)null, new AcceptedResponse(Accepted));
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ResetPasswordAsync(
        ResetPasswordRequest request, UserManager<IdentityUser> users, ReadinessDbContext db, CacheGeneration generation, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(request.Email);
        if (user is null || !TryDecode(request.Code, out var token))
        {
            return InvalidReset();
        }

        var reset = await users.ResetPasswordAsync(user, token, request.NewPassword);
        if (reset.Succeeded)
        {
            // A reset also ends a lockout and confirms the address: the owner has proved control of the mailbox.
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            if (!await users.IsEmailConfirmedAsync(user))
            {
                await users.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
            }

            // A reset says the account may have been someone else's: the access tokens end as its sessions do (the new
            // security stamp ends those), or whoever held a session could have minted one that outlived it.
            var now = time.GetUtcNow();
            if (await db.PersonalAccessTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null && t.ExpiresAt > now)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken) > 0)
            {
                await generation.BumpAsync(CacheGeneration.Tokens);
            }

            return TypedResults.NoContent();
        }

        return reset.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.InvalidToken))
            ? InvalidReset()
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [.. reset.Errors.Select(error => error.Description)] });
    }

    private static async Task<Results<Ok<AccountResponse>, UnauthorizedHttpResult>> GetMeAsync(HttpContext http, UserManager<IdentityUser> users)
    {
        var user = await users.FindByIdAsync(http.User.UserId());
        return user is null
            ? TypedResults.Unauthorized()
            : TypedResults.Ok(new AccountResponse(user.Id, user.Email!, user.EmailConfirmed));
    }

    private static async Task<Ok<SessionResponse>> GetSessionAsync(HttpContext http, UserManager<IdentityUser> users)
    {
        // Personal, and it changes at sign-in and sign-out: never stored by the browser or any cache.
        http.Response.Headers.CacheControl = "no-store";
        var user = http.User.Identity?.IsAuthenticated == true ? await users.FindByIdAsync(http.User.UserId()) : null;
        return TypedResults.Ok(user is null
            ? new SessionResponse(false, null)
            : new SessionResponse(true, new AccountResponse(user.Id, user.Email!, user.EmailConfirmed)));
    }

    private static async Task<ContentHttpResult> PasskeyCreationOptionsAsync(HttpContext http, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn)
    {
        var user = await users.FindByIdAsync(http.User.UserId()) ?? throw new InvalidOperationException("Signed-in user not found.");
        var options = await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = user.Id,
            Name = user.Email!,
            DisplayName = user.Email!,
        });
        // WebAuthn's PublicKeyCredentialCreationOptions, as JSON, for navigator.credentials.create().
        return TypedResults.Content(options, "application/json");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddPasskeyAsync(
        PasskeyCredentialRequest request, HttpContext http, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn)
    {
        var user = await users.FindByIdAsync(http.User.UserId()) ?? throw new InvalidOperationException("Signed-in user not found.");
        PasskeyAttestationResult attestation;
        try
        {
            attestation = await signIn.PerformPasskeyAttestationAsync(request.CredentialJson);
        }
        catch (InvalidOperationException)
        {
            // As for sign-in: no registration ceremony under way in this browser.
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Passkey not accepted",
                detail: "No passkey registration is under way in this browser: POST /api/account/passkeys/creation-options first.");
        }

        if (!attestation.Succeeded)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Passkey not accepted", detail: attestation.Failure.Message);
        }

        attestation.Passkey.Name = request.Name;
        var added = await users.AddOrUpdatePasskeyAsync(user, attestation.Passkey);
        return added.Succeeded
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Passkey not accepted", detail: string.Join(" ", added.Errors.Select(e => e.Description)));
    }

    private static async Task<ContentHttpResult> PasskeyRequestOptionsAsync(SignInManager<IdentityUser> signIn)
    {
        // Discoverable credentials: the authenticator offers the user's passkeys, so no email is asked for (or disclosed).
        var options = await signIn.MakePasskeyRequestOptionsAsync(user: null);
        return TypedResults.Content(options, "application/json");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> PasskeySignInAsync(PasskeyCredentialRequest request, SignInManager<IdentityUser> signIn)
    {
        try
        {
            var result = await signIn.PasskeySignInAsync(request.CredentialJson);
            return result.Succeeded ? TypedResults.NoContent() : SignInFailed("The passkey was not accepted.");
        }
        catch (InvalidOperationException)
        {
            // Identity throws when this browser has no sign-in ceremony under way: it never asked for request options,
            // they expired, or an earlier attempt (failed or not) ended it.
            return SignInFailed("No passkey sign-in is under way in this browser: POST /api/account/passkeys/request-options first.");
        }
    }

    private static async Task SendConfirmationAsync(IdentityUser user, UserManager<IdentityUser> users, IEmailSender<IdentityUser> email, AccountOptions options, HttpContext http)
    {
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = $"{PublicOrigin(options, http)}/api/account/confirm-email?userId={Uri.EscapeDataString(user.Id)}&code={code}";
        await email.SendConfirmationLinkAsync(user, user.Email!, link);
    }

    private static async Task SendPasswordResetAsync(IdentityUser user, UserManager<IdentityUser> users, IEmailSender<IdentityUser> email, AccountOptions options, HttpContext http)
    {
        var token = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = $"{PublicOrigin(options, http)}/reset-password?email={Uri.EscapeDataString(user.Email!)}&code={token}";
        await email.SendPasswordResetLinkAsync(user, user.Email!, link);
    }

    // Links point at the configured public origin; the request's own host is used only when none is configured,
    // and host filtering has already refused hosts that are not ours.
    private static string PublicOrigin(AccountOptions options, HttpContext http) =>
        options.PublicOrigin?.GetLeftPart(UriPartial.Authority) ?? $"{http.Request.Scheme}://{http.Request.Host}";

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private static bool TryDecode(string code, out string token)
    {
        token = "";
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static ProblemHttpResult SignInFailed(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: detail);

    private static ProblemHttpResult InvalidReset() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid reset code",
            detail: "The reset link is invalid or has expired. Ask for a new one.");
}
