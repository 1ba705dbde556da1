using WebApi.Caching;
using WebApi.Checklists;
using WebApi.Data;

// appsettings.json is read from beside the binary, whatever directory the orchestrator starts us in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.AddReadinessDatabase();
builder.AddReadinessCache();
builder.AddChecklists();

// Disposing the app flushes buffered logs, which the short-lived migrate mode relies on.
await using var app = builder.Build();

if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync(app.Services);
}

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapChecklistEndpoints();

await app.RunAsync();
return 0;
