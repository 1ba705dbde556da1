using ServiceDefaults.Deploy;
using StaticHost;
using StaticHost.Assets;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Files and headers only: no cookie or token, so no data-protection key ring for the deploy audit to hold to account.
builder.Services.IssuesNoProtectedData();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

await using var app = builder.Build();

if (DeployCommand.IsRequested(args))
{
    return await DeployCommand.RunAsync(app.Services, args, Console.Out);
}

// In Production an unsafe setting stops the start here, one line on stderr for each.
if (!await app.AllowsStartAsync())
{
    return 1;
}

app.UseDefaultExceptionHandling();
// Among the defaults: nosniff and a CSP on every response, error pages included.
app.UseDefaultSecurity();

// Processed once, before the first request: a broken web root fails the start, not a request.
var webRoot = app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot");
var catalog = AssetPipeline.Build(webRoot);
var clientRoutes = ClientRoutes.Load();
AssetLog.CatalogBuilt(app.Logger, catalog.Document.RequestPath, catalog.Files.Count, clientRoutes.Count, catalog.TotalBytes, webRoot);

app.MapDefaultEndpoints();
app.MapAssetCatalog(catalog, clientRoutes);
app.MapSecurityTxt();

await app.RunAsync();
return 0;
