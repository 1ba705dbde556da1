using System.Globalization;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scanner.Tests.Net;

/// <summary>
/// A Kestrel server on a free 127.0.0.1 port with the misbehaviours the client must survive:
/// a redirect to a private address, a redirect loop, bodies larger than the cap (plain and gzip).
/// </summary>
public sealed class LocalHttpServer : IAsyncLifetime
{
    /// <summary>The size of <c>/big</c> and, decoded, of <c>/big-gzip</c>.</summary>
    public const int BigBodyBytes = 4 * 1024 * 1024;

    private WebApplication? app;

    public int Port { get; private set; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Options that allow 127.0.0.1 and this port (plus any extra ports, comma-separated).</summary>
    public ScannerOptions Options(string extraPorts = "") => new()
    {
        AllowedTargets = "127.0.0.1",
        AllowedPorts = string.IsNullOrEmpty(extraPorts) ? Port.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{Port},{extraPorts}"),
        RequestTimeout = TimeSpan.FromSeconds(5),
        ScanTimeout = TimeSpan.FromSeconds(20),
    };

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app = builder.Build();

        app.MapGet("/", () => Results.Text("<!doctype html><title>local</title>", "text/html; charset=utf-8"));
        app.MapGet("/to-private", (HttpContext context) => Redirect(context, "http://10.0.0.1/"));
        app.MapGet("/to-metadata", (HttpContext context) => Redirect(context, "http://169.254.169.254/latest/meta-data/"));
        app.MapGet("/loop", (HttpContext context) =>
        {
            context.Response.Headers.Append("Set-Cookie", "loop=1; Path=/");
            return Redirect(context, "/loop");
        });
        app.MapGet("/big", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)'a');
            for (var sent = 0; sent < BigBodyBytes; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        app.MapGet("/big-gzip", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.ContentEncoding = "gzip";
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)'b');
            await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest);
            for (var sent = 0; sent < BigBodyBytes; sent += chunk.Length)
            {
                await gzip.WriteAsync(chunk, context.RequestAborted);
            }
        });
        app.MapGet("/latin1", () => Results.Bytes([0x63, 0x61, 0x66, 0xe9], "text/plain; charset=iso-8859-1"));
        app.MapGet("/image", () => Results.Bytes([0x89, 0x50, 0x4e, 0x47], "image/png"));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Port = new Uri(address).Port;
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    private static IResult Redirect(HttpContext context, string location)
    {
        context.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status302Found);
    }
}
