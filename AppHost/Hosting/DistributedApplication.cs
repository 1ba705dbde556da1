using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Dashboard;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Publishing;
using ReadinessAspire.Hosting.Testing;

namespace ReadinessAspire.Hosting;

/// <summary>
/// The running application: in run mode it starts every resource as a local process and serves the resource API;
/// in publish mode it writes the manifest and exits.
/// </summary>
public sealed class DistributedApplication : IHost, IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly WebApplication _host;

    internal DistributedApplication(DistributedApplicationBuilder builder, WebApplicationBuilder hostBuilder)
    {
        _builder = builder;
        var model = builder.Resources;
        hostBuilder.Services.AddSingleton(model);
        hostBuilder.Services.AddSingleton(builder.Options);
        hostBuilder.Services.AddSingleton(builder.ExecutionContext);
        hostBuilder.Services.AddSingleton<ResourceNotificationService>();
        hostBuilder.Services.AddSingleton<Orchestrator>();
        hostBuilder.Services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());
        hostBuilder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = builder.Options.ShutdownTimeout + TimeSpan.FromSeconds(1));
        hostBuilder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // A failed start is reported once, by RunAsync, in words; the host's own copy adds only a stack trace.
        hostBuilder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        hostBuilder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        hostBuilder.WebHost.UseKestrelCore();
        hostBuilder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(System.Net.IPAddress.Loopback, builder.Options.ResourceApiPort);
        });

        _host = hostBuilder.Build();
        _host.MapResourceApi();
        _host.Lifetime.ApplicationStarted.Register(() =>
        {
            var url = _host.Urls.First();
            _host.Logger.ResourceApi(url);
        });
    }

    public IServiceProvider Services => _host.Services;

    public DistributedApplicationModel Resources => _builder.Resources;

    public DistributedApplicationOptions Options => _builder.Options;

    public ResourceNotificationService ResourceNotifications => _host.Services.GetRequiredService<ResourceNotificationService>();

    /// <summary>The resource API's address, known once the application has started.</summary>
    public Uri ResourceApiUri => new(_host.Urls.First());

    /// <summary>Stops a resource and keeps it stopped until <see cref="StartResourceAsync"/> (fault drills, maintenance).</summary>
    public Task StopResourceAsync(string name) => _host.Services.GetRequiredService<Orchestrator>().ExecuteCommandAsync(name, "stop");

    public Task StartResourceAsync(string name) => _host.Services.GetRequiredService<Orchestrator>().ExecuteCommandAsync(name, "start");

    public static IDistributedApplicationBuilder CreateBuilder(string[] args) => TestingInterception.CreateBuilder(args);

    public static IDistributedApplicationBuilder CreateBuilder() => CreateBuilder([]);

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_builder.PublishOptions is { } publish)
        {
            await ManifestPublisher.PublishAsync(_builder, publish, cancellationToken);
            return;
        }

        try
        {
            await _host.RunAsync(cancellationToken);
        }
        catch (DistributedApplicationException ex)
        {
            // A missing server or a taken port: say what to do in one line per problem, no stack trace.
            await Console.Error.WriteLineAsync(ex.Message);
            Environment.ExitCode = 1;
        }
        catch
        {
            // The host failed after resources were started: stop them rather than leave them running.
            await _host.Services.GetRequiredService<Orchestrator>().StopAsync(CancellationToken.None);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _host.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _host.StopAsync(cancellationToken);

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            await _host.DisposeAsync();
        }
    }
}
