using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ReadinessAspire.Testing;

namespace ServiceDefaults.Tests;

/// <summary>
/// A real Kestrel app with the service defaults on two loopback ports, the public one and the management one,
/// as the AppHost runs a replica. Its own endpoint logs a message and answers with its activity's trace id; a test may
/// map more.
/// </summary>
internal sealed partial class TestApp : IAsyncDisposable
{
    public const string OrderTemplate = "Order {OrderId} placed by {CustomerPassword}";

    private readonly WebApplication app;
    private Task? stopped;

    private TestApp(WebApplication app, int publicPort, int? managementPort, List<Activity> spans)
    {
        this.app = app;
        PublicPort = publicPort;
        Public = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}") };
        Management = managementPort is { } port ? new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") } : null;
        Spans = spans;
    }

    public HttpClient Public { get; }

    public int PublicPort { get; }

    public HttpClient? Management { get; }

    /// <summary>Every span the app recorded, as an exporter would get them.</summary>
    public List<Activity> Spans { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<TestApp> StartAsync(
        Dictionary<string, string?>? settings = null,
        bool withManagementPort = true,
        string environment = "Production",
        Action<IHostApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        var ports = FreeLoopbackPorts.Take(2);
        var publicPort = ports[0];
        int? managementPort = withManagementPort ? ports[1] : null;

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "orders",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=orders-1,deployment.environment=test",
            ["Management:Port"] = managementPort?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.WebHost.UseUrls(
            [$"http://127.0.0.1:{publicPort}", .. managementPort is { } port ? new[] { $"http://127.0.0.1:{port}" } : []]);

        builder.AddServiceDefaults();
        var spans = new List<Activity>();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new CollectingProcessor(spans)));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/orders/{id:int}", (int id, ILogger<TestApp> logger) =>
        {
            OrderLog.Placed(logger, id, "hunter2");
            return Activity.Current!.TraceId.ToHexString();
        });
        map?.Invoke(app);

        await app.StartAsync();
        return new TestApp(app, publicPort, managementPort, spans);
    }

    /// <summary>Stops the host as SIGTERM does; once only, however often it is called.</summary>
    public Task StopAsync() => stopped ??= app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Public.Dispose();
        Management?.Dispose();
        await StopAsync();
        // Disposing the host disposes the logger providers, which flushes the log file.
        await app.DisposeAsync();
    }

    private sealed class CollectingProcessor(List<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            lock (spans)
            {
                spans.Add(data);
            }
        }
    }

    private static partial class OrderLog
    {
        [LoggerMessage(Level = LogLevel.Information, Message = OrderTemplate)]
        public static partial void Placed(ILogger logger, int orderId, string customerPassword);
    }
}
