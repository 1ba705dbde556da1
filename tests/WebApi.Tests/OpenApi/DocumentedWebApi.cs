using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebApi.Tests.Security;

namespace WebApi.Tests.OpenApi;

/// <summary>
/// The real WebApi, in process on a test server (no socket), in Production with the settings that pass its deploy
/// audit and the management port named, so every route it can have is mapped. PostgreSQL and Redis are on closed ports.
/// </summary>
public sealed class DocumentedWebApi : WebApplicationFactory<Program>
{
    private readonly ProductionSettings _settings = new();
    private bool _settingsDisposed;

    public EndpointDataSource Endpoints => Services.GetRequiredService<EndpointDataSource>();

    public AuthorizationOptions Authorization => Services.GetRequiredService<IOptions<AuthorizationOptions>>().Value;

    /// <summary>A client that sends exactly what a test sets: no cookies and no redirects followed.</summary>
    public HttpClient CreatePlainClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    public async Task<JsonDocument> GetDocumentAsync()
    {
        using var client = CreatePlainClient();
        return JsonDocument.Parse(await client.GetStringAsync(new Uri(Microsoft.Extensions.Hosting.OpenApiExtensions.DocumentPath, UriKind.Relative)));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings.Good())
        {
            builder.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), value);
        }

        // Maps /metrics and /health/details too; the test server listens on no port at all.
        builder.UseSetting("Management:Port", "65000");
    }

    // xunit may call both Dispose and DisposeAsync, and the factory's DisposeAsync calls Dispose(true) as well.
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && !_settingsDisposed)
        {
            _settingsDisposed = true;
            _settings.Dispose();
        }
    }
}
