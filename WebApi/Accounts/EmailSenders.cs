using Microsoft.AspNetCore.Identity;

namespace WebApi.Accounts;

/// <summary>Development has no mail server: the links are written to the log, where the developer (and the tests) read them.</summary>
public sealed partial class LoggedEmailSender(ILogger<LoggedEmailSender> logger) : IEmailSender<IdentityUser>
{
    public Task SendConfirmationLinkAsync(IdentityUser user, string email, string confirmationLink)
    {
        LogLink(logger, "confirmation", email, confirmationLink);
        return Task.CompletedTask;
    }

    public Task SendPasswordResetLinkAsync(IdentityUser user, string email, string resetLink)
    {
        LogLink(logger, "password-reset", email, resetLink);
        return Task.CompletedTask;
    }

    public Task SendPasswordResetCodeAsync(IdentityUser user, string email, string resetCode)
    {
        LogLink(logger, "password-reset-code", email, resetCode);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development email: {Kind} link for {Email}: {Link}")]
    private static partial void LogLink(ILogger logger, string kind, string email, string link);
}

/// <summary>
/// The production seam: replace this registration with a real transport (SMTP, a mail API). Until then mail is not
/// sent, the links never reach a log, and the deploy check reports it.
/// </summary>
public sealed partial class UndeliverableEmailSender(ILogger<UndeliverableEmailSender> logger) : IEmailSender<IdentityUser>
{
    public Task SendConfirmationLinkAsync(IdentityUser user, string email, string confirmationLink) => Drop("confirmation");

    public Task SendPasswordResetLinkAsync(IdentityUser user, string email, string resetLink) => Drop("password-reset");

    public Task SendPasswordResetCodeAsync(IdentityUser user, string email, string resetCode) => Drop("password-reset-code");

    private Task Drop(string kind)
    {
        LogNotSent(logger, kind);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No mail transport is configured; a {Kind} email was not sent.")]
    private static partial void LogNotSent(ILogger logger, string kind);
}
