using ServiceDefaults.Deploy;
using ServiceDefaults.Security;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Caching;
using WebApi.Checklists;
using WebApi.Content;
using WebApi.Data;
using WebApi.Evidence;
using WebApi.Gate;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Scans;
using WebApi.Services;
using WebApi.Teams;

// appsettings.json is read from beside the binary, whatever directory the orchestrator starts us in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddApiDocumentation();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.AddApiConventions();
builder.AddReadinessDatabase();
builder.AddDataProtectionKeyStore();
builder.AddSchemaGate();
builder.AddReadinessCache();
builder.AddAccounts();
builder.AddTeams();
builder.AddChecklists();
builder.AddReviews();
builder.AddEvidence();
builder.AddScans();
builder.Services.AddContentSanitizer();
builder.Services.AddRequiredSecrets(
    RequiredSecret.ConnectionString(DatabaseExtensions.ConnectionName),
    RequiredSecret.ConnectionString(CacheExtensions.ConnectionName),
    RequiredSecret.ConnectionString(EvidenceStorage.ConnectionName));

// Disposing the app flushes buffered logs, which the short-lived migrate mode relies on.
await using var app = builder.Build();

if (DeployCommand.IsRequested(args))
{
    return await DeployCommand.RunAsync(app.Services, args, Console.Out);
}

if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync(app.Services);
}

if (AuditVerifyCommand.IsRequested(args))
{
    return await AuditVerifyCommand.RunAsync(app.Services, args, Console.Out, Console.Error);
}

// In Production a missing secret or an unsafe setting stops the start here, one line on stderr for each.
if (!await app.AllowsStartAsync())
{
    return 1;
}

app.UseDefaultExceptionHandling();
app.UseDefaultSecurity();
app.UseAccounts();
app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapAntiforgeryTokenEndpoint();
app.MapChecklistEndpoints();
app.MapAccountEndpoints();
app.MapTokenEndpoints();
app.MapTeamEndpoints();
app.MapServiceEndpoints();
app.MapReviewEndpoints();
app.MapMarkdownEndpoints();
app.MapEvidenceEndpoints();
app.MapScanEndpoints();
app.MapGateEndpoints();

await app.RunAsync();
return 0;
