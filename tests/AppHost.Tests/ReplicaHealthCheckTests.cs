using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AppHost.Tests;

/// <summary>
/// The services' health check on each replica's own port, against real HTTP servers on loopback (which replicas have
/// which port is the ReplicaWatcher's, from DCP; every stack test starts its services through this check).
/// </summary>
public sealed class ReplicaHealthCheckTests
{
    [Fact]
    public async Task Healthy_once_one_replica_answers_while_another_does_not_listen_yet()
    {
        await using var ready = await Replica.StartAsync(StatusCodes.Status200OK);
        using var notListening = NotListening();

        var result = await CheckAsync([new("webapi-a", Port(notListening)), new("webapi-b", ready.Port)]);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.StartsWith("1 of 2 replicas ready: ", result.Description, StringComparison.Ordinal);
        Assert.Contains($"webapi-b on {ready.Port}: 200", result.Description, StringComparison.Ordinal);
        Assert.Contains($"webapi-a on {Port(notListening)}: ", result.Description, StringComparison.Ordinal);
        Assert.Equal(["/health/ready"], ready.Paths);
    }

    [Fact]
    public async Task Not_healthy_while_no_replica_answers_with_success_and_each_says_why()
    {
        await using var notReady = await Replica.StartAsync(StatusCodes.Status503ServiceUnavailable);
        using var notListening = NotListening();

        var result = await CheckAsync([new("webapi-a", Port(notListening)), new("webapi-b", notReady.Port)], HealthStatus.Degraded);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.StartsWith("0 of 2 replicas ready: ", result.Description, StringComparison.Ordinal);
        Assert.Contains($"webapi-b on {notReady.Port}: 503", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_healthy_before_any_replica_has_reported_its_port()
    {
        var result = await CheckAsync([]);

        Assert.Equal((HealthStatus.Unhealthy, "no replica has reported its port yet"), (result.Status, result.Description));
    }

    [Fact]
    public async Task A_replica_that_answered_is_asked_again_at_each_check_so_one_that_stops_is_seen()
    {
        var replica = await Replica.StartAsync(StatusCodes.Status200OK);
        var port = replica.Port;
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync([new("webapi-a", port)])).Status);

        await replica.DisposeAsync();

        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync([new("webapi-a", port)])).Status);
    }

    [Fact]
    public async Task A_check_leaves_no_connection_open_so_a_replica_s_stop_never_drains_for_it()
    {
        await using var replica = await Replica.StartAsync(StatusCodes.Status200OK);

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync([new("webapi-a", replica.Port)])).Status);

        // A pooled connection would stay open for the client's idle timeout; a closed one is gone once the answer is sent.
        for (var waited = 0; replica.OpenConnections > 0 && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, replica.OpenConnections);
    }

    private static Task<HealthCheckResult> CheckAsync(IReadOnlyList<ReplicaPort> ports, HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        new ReplicaHealthCheck(() => ports, "/health/ready").CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("webapi_http_/health/ready_replicas_check", _ => throw new InvalidOperationException("not used"), failureStatus, tags: null),
        });

    /// <summary>A port that refuses connections, held (bound, never listening) so that nothing else takes it meanwhile.</summary>
    private static Socket NotListening()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int Port(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    /// <summary>A replica on a loopback port of its own that answers every request with one status code.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Replica(WebApplication app) => _app = app;

        private int _openConnections;

        public List<string> Paths { get; } = [];

        /// <summary>Connections open on the replica, counted from accept to close.</summary>
        public int OpenConnections => Volatile.Read(ref _openConnections);

        public int Port => new Uri(_app.Urls.Single()).Port;

        public static async Task<Replica> StartAsync(int statusCode)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            Replica? replica = null;
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => async connection =>
            {
                Interlocked.Increment(ref replica!._openConnections);
                try
                {
                    await next(connection);
                }
                finally
                {
                    Interlocked.Decrement(ref replica._openConnections);
                }
            })));
            var app = builder.Build();
            replica = new Replica(app);
            app.Run(context =>
            {
                lock (replica.Paths)
                {
                    replica.Paths.Add(context.Request.Path);
                }

                context.Response.StatusCode = statusCode;
                return Task.CompletedTask;
            });
            await app.StartAsync();
            return replica;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
