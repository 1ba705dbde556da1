using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using WebApi.Data;

namespace WebApi.Accounts;

/// <summary>
/// Who is calling: a browser session (Identity's cookie, hardened by the service defaults) or a personal access token
/// (<c>Authorization: Bearer ra_pat_...</c>), and what each may do.
/// </summary>
public static class AccountExtensions
{
    public const string SessionOrTokenScheme = "SessionOrToken";
    public const string SignInRateLimit = "sign-in";
    public const string TokenRateLimit = "tokens";

    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var accounts = builder.Configuration.GetSection("Accounts");
        builder.Services.AddOptions<AccountOptions>()
            .Bind(accounts)
            .Configure(options => options.PublicOrigin ??= builder.Configuration.GetValue<Uri?>("PublicOrigin"))
            .Validate(o => o.MaxTokenLifetimeDays >= 1, "Accounts:MaxTokenLifetimeDays must be at least 1.")
            .Validate(o => o.MaxActiveTokens >= 1, "Accounts:MaxActiveTokens must be at least 1.")
            .Validate(o => o.EndedTokenRetentionDays is >= 1 and <= 36_500, "Accounts:EndedTokenRetentionDays must be from 1 to 36500.")
            .ValidateOnStart();

        builder.Services
            .AddIdentityCore<IdentityUser>(options =>
            {
                IdentityStoreDefaults.Apply(options.Stores);
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedEmail = accounts.GetValue("RequireConfirmedEmail", true);
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = accounts.GetValue("MaxFailedSignIns", 5);
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<ReadinessDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        // Identity's stores take a scoped context; ours are made by the pooled factory.
        builder.Services.AddScoped(services => services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ReadinessDbContext>>().CreateDbContext());

        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = SessionOrTokenScheme;
                options.DefaultChallengeScheme = SessionOrTokenScheme;
            })
            .AddPolicyScheme(SessionOrTokenScheme, "Session cookie or personal access token", options =>
                options.ForwardDefaultSelector = context =>
                    PersonalAccessTokenHandler.HasBearerToken(context.Request)
                        ? PersonalAccessTokenHandler.SchemeName
                        : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, PersonalAccessTokenHandler>(PersonalAccessTokenHandler.SchemeName, null)
            // Identity's cookies: the session, and the short-lived ones its passkey ceremonies keep their state in.
            .AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            // An API answers with status codes, never with a redirect to a sign-in page.
            options.Events.OnRedirectToLogin = context => WriteStatusAsync(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => WriteStatusAsync(context, StatusCodes.Status403Forbidden);
        });
        // A password change or sign-out everywhere ends other sessions within a minute.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Read, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => AccessPolicies.HasScope(context.User, TokenScopes.Read)))
            .AddPolicy(AccessPolicies.Write, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => AccessPolicies.HasScope(context.User, TokenScopes.Write)))
            .AddPolicy(AccessPolicies.Session, policy => policy.RequireAuthenticatedUser().AddAuthenticationSchemes(IdentityConstants.ApplicationScheme));

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRateLimitedAsync;
            // Per client address (the real one: forwarded headers run first), so one guesser cannot lock others out.
            options.AddPolicy(SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = accounts.GetValue("SignInsPerMinute", 10), Window = TimeSpan.FromMinutes(1) }));
            options.AddPolicy(TokenRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = accounts.GetValue("TokenWritesPerMinute", 10), Window = TimeSpan.FromMinutes(1) }));
        });

        // No mail server here: links go to the log in Development and wherever the operator asks for it (the local
        // AppHost run does). Elsewhere mail is dropped until a real transport replaces UndeliverableEmailSender.
        var emailTransport = accounts.GetValue("EmailTransport", builder.Environment.IsDevelopment() ? "log" : "none");
        if (string.Equals(emailTransport, "log", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddSingleton<IEmailSender<IdentityUser>, LoggedEmailSender>();
        }
        else
        {
            builder.Services.AddSingleton<IEmailSender<IdentityUser>, UndeliverableEmailSender>();
        }

        builder.Services.AddSingleton<ServiceDefaults.Deploy.IDeployCheck, AccountDeployCheck>();
        return builder;
    }

    public static WebApplication UseAccounts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Authentication already ran, in UseDefaultSecurity, ahead of the CSRF check.
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    private static Task WriteStatusAsync(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static async ValueTask WriteRateLimitedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too Many Requests",
                Detail = "Too many attempts from this client; wait and retry.",
            },
        });
    }
}

/// <summary>Bound from <c>Accounts</c>.</summary>
public sealed class AccountOptions
{
    /// <summary>Where confirmation and reset links point; by default the app's <c>PublicOrigin</c>, which the AppHost sets to the proxy.</summary>
    public Uri? PublicOrigin { get; set; }

    /// <summary>Longest lifetime a personal access token may be given.</summary>
    public int MaxTokenLifetimeDays { get; set; } = 366;

    /// <summary>
    /// How many tokens a person may hold that are neither revoked nor expired: each is a credential to account for,
    /// and without a bound a stolen session could mint them without end (ten a minute, as the rate limit allows).
    /// </summary>
    public int MaxActiveTokens { get; set; } = 50;

    /// <summary>
    /// How long a revoked or expired token stays listed; a person's creation of a new token deletes the older ones.
    /// </summary>
    public int EndedTokenRetentionDays { get; set; } = 90;
}
