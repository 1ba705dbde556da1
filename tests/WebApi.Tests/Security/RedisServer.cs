using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReadinessAspire.Testing;

namespace WebApi.Tests.Security;

/// <summary>A throwaway redis-server on a free loopback port with a random password, killed on dispose (it keeps nothing on disk).</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ra-redis-").FullName;
    private Process? _process;

    public string Password { get; } = Secrets.Strong();

    public int Port { get; private set; }

    public string ConnectionString => Secrets.RedisConnectionString(Password, Port);

    public async Task InitializeAsync()
    {
        Port = FreeLoopbackPorts.One();

        var startInfo = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--requirepass", Password, "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no", "--logfile", "" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = Process.Start(startInfo)!;
        _process.BeginOutputReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"redis-server did not listen on {Port}.");
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
