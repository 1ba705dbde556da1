using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>Redis for the AppHost: Debian's server as a local process when run, Aspire's container when published.</summary>
public static class RedisProcessBuilderExtensions
{
    /// <summary>
    /// Adds a Redis server named <paramref name="name"/>, a cache nothing depends on for correctness: no persistence.
    /// Run: Debian's redis-server on 127.0.0.1, healthy on an authenticated PING. Publish: Aspire's Redis container.
    /// Both take the generated secret parameter <c>{name}-password</c>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddRedis(name, password: builder.CreateResourceBuilder(password));
        }

        LocalServers.ReadUserSecretsInEveryEnvironment(builder);
        builder.AddResource(password);
        var server = new RedisProcessResource(name, builder.AppHostDirectory, password);
        var runDirectory = Path.Combine(LocalServers.DataDirectory(builder), "run", name);
        var configFile = Path.Combine(runDirectory, "redis.conf");

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey, _ => new RedisPingHealthCheck(server), HealthStatus.Unhealthy, tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (_, cancellationToken) =>
        {
            LocalServers.RequireFile(server.Command, "redis-server");
            Directory.CreateDirectory(runDirectory);
            File.SetUnixFileMode(runDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var secret = await password.GetValueAsync(cancellationToken);
            LocalServers.WritePrivateFile(configFile, $"""
                bind 127.0.0.1
                port {server.PrimaryEndpoint.Port.ToString(CultureInfo.InvariantCulture)}
                protected-mode yes
                requirepass "{secret}"
                save ""
                appendonly no
                dir "{runDirectory}"
                daemonize no
                logfile ""
                """);
        });

        return builder.AddResource(server)
            .WithLocalEndpoint(RedisProcessResource.PrimaryEndpointName, "tcp", port)
            .WithArgs(configFile)
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>Healthy when an authenticated PING answers PONG; spoken in RESP directly, so the AppHost needs no Redis client.</summary>
    private sealed class RedisPingHealthCheck(RedisProcessResource server) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, server.PrimaryEndpoint.Port, timeout.Token);
                var stream = client.GetStream();
                var password = await server.PasswordParameter.GetValueAsync(timeout.Token) ?? string.Empty;
                var command = $"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(password)}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n";
                await stream.WriteAsync(Encoding.UTF8.GetBytes(command), timeout.Token);
                var received = new StringBuilder();
                var buffer = new byte[64];
                while (received.Length < "+OK\r\n+PONG\r\n".Length && !received.ToString().Contains("-ERR", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, timeout.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }

                return received.ToString().StartsWith("+OK\r\n+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"Redis answered: {received.ToString().Trim()}");
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
