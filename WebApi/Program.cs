using ServiceDefaults.Deploy;
using ServiceDefaults.Security;
using WebApi.Caching;
using WebApi.Checklists;
using WebApi.Content;
using WebApi.Data;

// appsettings.json is read from beside the binary, whatever directory the orchestrator starts us in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddApiDocumentation();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.AddReadinessDatabase();
builder.AddReadinessCache();
builder.AddChecklists();
builder.Services.AddContentSanitizer();
builder.Services.AddRequiredSecrets(
    RequiredSecret.ConnectionString(DatabaseExtensions.ConnectionName),
    RequiredSecret.ConnectionString(CacheExtensions.ConnectionName));

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

// In Production a missing secret or an unsafe setting stops the start here, one line on stderr for each.
if (!await app.AllowsStartAsync())
{
    return 1;
}

app.UseDefaultExceptionHandling();
app.UseDefaultSecurity();
app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapAntiforgeryTokenEndpoint();
app.MapChecklistEndpoints();

await app.RunAsync();
return 0;
