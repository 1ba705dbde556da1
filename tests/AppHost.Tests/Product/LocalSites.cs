using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AppHost.Tests.Product;

/// <summary>
/// A deliberately careless site on a loopback port, in the test process: plain HTTP, no security headers, a session
/// cookie without flags, an exposed .git and .env, a third-party script without integrity, a TRACE that echoes.
/// <see cref="SlowPageDelay"/> holds the page back, so a scan of it is still running when a test needs it to be.
/// </summary>
internal sealed class CarelessSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CarelessSite(WebApplication app, TimeSpan slowPageDelay)
    {
        _app = app;
        SlowPageDelay = slowPageDelay;
    }

    public TimeSpan SlowPageDelay { get; }

    public Uri Url => new($"http://127.0.0.1:{new Uri(_app.Urls.Single()).Port}/");

    public static async Task<CarelessSite> StartAsync(TimeSpan? slowPageDelay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var delay = slowPageDelay ?? TimeSpan.Zero;
        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-Powered-By"] = "PHP/7.4.3";
            if (HttpMethods.IsTrace(context.Request.Method))
            {
                context.Response.ContentType = "message/http";
                await context.Response.WriteAsync($"TRACE {context.Request.Path} HTTP/1.1\r\nHost: {context.Request.Host}\r\n");
                return;
            }

            await next(context);
        });
        app.MapGet("/", async context =>
        {
            await Task.Delay(delay, context.RequestAborted);
            context.Response.Headers.Append("Set-Cookie", "sessionid=abc123; Path=/");
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync("<!doctype html><html><head><title>Careless</title><script src=\"https://cdn.example.com/lib.js\"></script></head><body>hello</body></html>");
        });
        app.MapGet("/.git/HEAD", () => Results.Text("ref: refs/heads/main\n"));
        app.MapGet("/.env", () => Results.Text("DATABASE_PASSWORD=hunter2\nSECRET_KEY=abc\n"));
        await app.StartAsync();
        return new CarelessSite(app, delay);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
