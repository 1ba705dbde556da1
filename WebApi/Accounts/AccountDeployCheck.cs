using Microsoft.AspNetCore.Identity;
using ServiceDefaults.Deploy;
using WebApi.Data;

namespace WebApi.Accounts;

/// <summary>What a local run allows and a deployment must not: links in the log instead of mail, and demo data.</summary>
public sealed class AccountDeployCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sender = context.Services.GetService<IEmailSender<IdentityUser>>();
        if (sender is LoggedEmailSender)
        {
            yield return new("RA-A001", DeploySeverity.Warning,
                "Confirmation and password-reset links are written to the log (Accounts:EmailTransport=log): anyone who reads the logs can take over an account.",
                "register a real IEmailSender<IdentityUser> and remove Accounts__EmailTransport.");
        }
        else if (sender is UndeliverableEmailSender && context.Configuration.GetValue("Accounts:RequireConfirmedEmail", true))
        {
            yield return new("RA-A002", DeploySeverity.Warning,
                "No mail transport is configured, so new accounts can never confirm their email and sign in.",
                "register a real IEmailSender<IdentityUser> (SMTP or a mail API).");
        }

        if (DemoData.IsEnabled(context.Configuration, context.Environment))
        {
            yield return new("RA-A003", DeploySeverity.Warning,
                "Demo data is seeded and every new account joins the demo team (Seed:DemoData=true).",
                "remove Seed__DemoData.");
        }

        if (context.Configuration.GetValue<Uri?>("PublicOrigin") is null && context.Configuration.GetValue<Uri?>("Accounts:PublicOrigin") is null)
        {
            yield return new("RA-A004", DeploySeverity.Warning,
                "PublicOrigin is not set, so links in emails use the Host of the request that caused them.",
                "set PublicOrigin to the site's public https origin, e.g. https://readiness.example.com.");
        }
    }
}
