using Microsoft.Net.Http.Headers;
using StaticHost.Assets;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();

// Every response, error pages included, is to be used only as the type it declares. Added when the response
// starts, so the exception handler clearing the headers of a failed response cannot drop it.
app.Use((context, next) =>
{
    context.Response.OnStarting(static state =>
    {
        ((HttpResponse)state).Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return Task.CompletedTask;
    }, context.Response);
    return next(context);
});

app.UseDefaultExceptionHandling();
app.UseDefaultSecurity();

// Processed once, before the first request: a broken web root fails the start, not a request.
var webRoot = app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot");
var catalog = AssetPipeline.Build(webRoot);
AssetLog.CatalogBuilt(app.Logger, catalog.Document.RequestPath, catalog.Assets.Count, catalog.TotalBytes, webRoot);

app.MapDefaultEndpoints();
app.MapAssetCatalog(catalog);

app.Run();
