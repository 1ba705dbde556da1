using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Security;

namespace WebApi.Tests.Security;

/// <summary>
/// A service built from ServiceDefaults exactly as WebApi composes it, on Kestrel at 127.0.0.1, with test-only
/// endpoints no product has: one that echoes what the app believes about the client, a cookie-accepting POST, and a crash.
/// </summary>
internal sealed class SecureHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SecureHost(WebApplication app, Uri baseAddress) => (_app, BaseAddress) = (app, baseAddress);

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<SecureHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AllowedHosts"] = "readiness.example.com;localhost;127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UseDefaultExceptionHandling();
        app.UseDefaultSecurity();
        app.MapDefaultEndpoints();
        app.MapAntiforgeryTokenEndpoint();
        app.MapGet("/test/client", (HttpContext http) => new ClientView(http.Connection.RemoteIpAddress!.ToString(), http.Request.Scheme));
        app.MapPost("/test/preferences", () => TypedResults.NoContent());
        app.MapGet("/test/crash", string () => throw new InvalidOperationException("secret-bearing failure message"));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SecureHost(app, new Uri(address));
    }

    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = BaseAddress,
        };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record ClientView(string RemoteIp, string Scheme);
}
