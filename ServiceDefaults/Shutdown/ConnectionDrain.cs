using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Shutdown;

/// <summary>
/// The first step of a stop, before Kestrel closes anything. A reverse proxy keeps idle connections to each replica
/// and HTTP/1.1 cannot tell it that the server is about to close one: a request it writes onto a connection as Kestrel
/// closes it is lost, and a POST is not sent to another replica (nginx cannot know whether it was processed), so the
/// client gets a 502. So on SIGTERM the service first drains: it keeps serving, answers every HTTP/1.1 request with
/// <c>Connection: close</c> so that the client side closes each connection after its response, and reports not ready
/// so that orchestrators stop routing to it. Once no connection is open, or after <see cref="ShutdownOptions.DrainDelay"/>,
/// it stops accepting connections, answers those it accepted while draining, and only then lets the host stop
/// Kestrel: Kestrel closes a connection whose request it has not read yet, and one accepted in the moment before its
/// stop would lose a POST the same way. A connection the proxy keeps idle throughout is closed by the proxy's own idle
/// timeout, which is shorter than the drain.
/// </summary>
internal sealed partial class ConnectionDrain(IOptions<ShutdownOptions> options, ClosableListeners listeners, TimeProvider time, ILogger<ConnectionDrain> logger)
    : IHostedLifecycleService, IHealthCheck
{
    public const string HealthCheckName = "shutdown";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a connection accepted while draining has, once no more are accepted: its request is on its way.</summary>
    private static readonly TimeSpan AcceptedWhileDrainingGrace = TimeSpan.FromSeconds(1);

    private int openConnections;
    private int openSinceDraining;
    private volatile bool draining;

    public bool IsDraining => draining;

    /// <summary>Connections open on every endpoint of this process, counted from accept to close.</summary>
    public int OpenConnections => Volatile.Read(ref openConnections);

    public static void AddServices(IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>()
            .BindConfiguration(ShutdownOptions.SectionName)
            .Validate(o => o.Timeout > TimeSpan.Zero && o.DrainDelay >= TimeSpan.Zero && o.DrainDelay < o.Timeout,
                $"{ShutdownOptions.SectionName}: Timeout must be positive, and DrainDelay must not be negative and must be shorter than Timeout, which it is part of.")
            .ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ClosableListeners(new SocketTransportFactory(
            provider.GetRequiredService<IOptions<SocketTransportOptions>>(), provider.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<IConnectionListenerFactory>(provider => provider.GetRequiredService<ClosableListeners>());
        services.TryAddSingleton<ConnectionDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ConnectionDrain>());
        services.AddOptions<KestrelServerOptions>().Configure<ConnectionDrain>((kestrel, drain) =>
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(drain.Count)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, DrainStartupFilter>());
        services.AddHealthChecks().AddCheck<ConnectionDrain>(HealthCheckName);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        draining = true;
        var started = time.GetTimestamp();
        Log.Draining(logger, OpenConnections, delay);
        try
        {
            while (OpenConnections > 0 && time.GetElapsedTime(started) < delay)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
            }

            // Refused from now on, a request goes to another replica (nothing was sent, so a proxy may send even a POST
            // again); one accepted an instant ago is answered before Kestrel stops.
            await listeners.StopAcceptingAsync(cancellationToken);
            var closed = time.GetTimestamp();
            while (Volatile.Read(ref openSinceDraining) > 0 && time.GetElapsedTime(closed) < AcceptedWhileDrainingGrace)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The shutdown timeout ran out: the host stops what is left at once.
        }

        var elapsed = time.GetElapsedTime(started);
        Log.Drained(logger, OpenConnections, elapsed.TotalMilliseconds);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining ? HealthCheckResult.Unhealthy("Shutting down: draining connections.") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private ConnectionDelegate Count(ConnectionDelegate next) => async connection =>
    {
        var acceptedWhileDraining = draining;
        Interlocked.Increment(ref openConnections);
        if (acceptedWhileDraining)
        {
            Interlocked.Increment(ref openSinceDraining);
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref openConnections);
            if (acceptedWhileDraining)
            {
                Interlocked.Decrement(ref openSinceDraining);
            }
        }
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: draining {OpenConnections} open connection(s) for at most {DrainDelay} before Kestrel stops")]
        public static partial void Draining(ILogger logger, int openConnections, TimeSpan drainDelay);

        [LoggerMessage(Level = LogLevel.Information, Message = "Drained after {ElapsedMs} ms, accepting no more connections; {OpenConnections} connection(s) still open")]
        public static partial void Drained(ILogger logger, int openConnections, double elapsedMs);
    }

    /// <summary>Ahead of load shedding, so that every answer while draining closes its connection, a shed one included.</summary>
    private sealed class DrainStartupFilter(ConnectionDrain drain) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                // HTTP/2 and HTTP/3 have no Connection header: Kestrel's GOAWAY at stop is already graceful there.
                if (drain.IsDraining && HttpProtocol.IsHttp11(context.Request.Protocol))
                {
                    context.Response.Headers.Connection = "close";
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
