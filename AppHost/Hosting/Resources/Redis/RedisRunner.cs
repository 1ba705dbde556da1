using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

/// <summary>Redis from Debian's packages, configured by a private file so its password is never on a command line.</summary>
internal sealed class RedisRunner(RedisResource redis, RunnerContext context) : ProcessResourceRunner(redis, context)
{
    private const string ServerBinary = "/usr/bin/redis-server";
    private string _configFile = string.Empty;

    public override IEnumerable<string> MissingPrerequisites()
    {
        if (!File.Exists(ServerBinary))
        {
            yield return $"{redis.Name}: {ServerBinary} not found; install it: apt-get install -y redis-server";
        }
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var runDirectory = Path.Combine(Context.DataDirectory, "run", redis.Name);
        var volume = redis.Annotation<DataVolumeAnnotation>();
        var dataDirectory = volume is null ? runDirectory : Path.Combine(Context.DataDirectory, "volumes", volume.Name);
        Directory.CreateDirectory(runDirectory);
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(runDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _configFile = Path.Combine(runDirectory, "redis.conf");
        var persistence = volume is null ? "save \"\"\nappendonly no" : "save 60 1\nappendonly yes";
        var port = redis.OfAnnotation<AllocatedEndpointsAnnotation>().Single().Find("tcp", 0)!.Port;
        await File.WriteAllTextAsync(_configFile, $"""
            bind 127.0.0.1
            port {port.ToString(CultureInfo.InvariantCulture)}
            protected-mode yes
            requirepass "{redis.PasswordParameter.Value}"
            {persistence}
            dir "{dataDirectory}"
            daemonize no
            logfile ""
            """, cancellationToken);
        File.SetUnixFileMode(_configFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    protected override Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        Task.FromResult(new ProcessSpec(ServerBinary, [_configFile], new Dictionary<string, string>(), Path.GetDirectoryName(_configFile)!));

    /// <summary>An authenticated PING, spoken in RESP directly so the AppHost needs no Redis client.</summary>
    protected override async Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, instance.Ports["tcp"], cancellationToken);
        var stream = client.GetStream();
        var password = redis.PasswordParameter.Value;
        var command = $"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(password)}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command), cancellationToken);
        var buffer = new byte[64];
        var received = new StringBuilder();
        while (!received.ToString().Contains("PONG", StringComparison.Ordinal) && !received.ToString().Contains("-ERR", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return received.ToString().StartsWith("+OK\r\n+PONG", StringComparison.Ordinal);
    }
}
