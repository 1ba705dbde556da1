using StaticHost;
using StaticHost.Assets;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();

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

app.Run();
