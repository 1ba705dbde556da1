using Backup;

// appsettings.json is read from beside the binary, whatever directory the orchestrator starts us in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddBackups();
var command = BackupCommands.IsRequested(args);
if (!command)
{
    builder.AddBackupWorker();
}

await using var app = builder.Build();

if (command)
{
    return await BackupCommands.RunFromConsoleAsync(app.Services, args);
}

app.UseDefaultExceptionHandling();
app.UseDefaultSecurity();
app.MapDefaultEndpoints();

await app.RunAsync();
return 0;
