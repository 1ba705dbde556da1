using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReadinessAspire.Bench;

/// <summary>
/// The ceiling: the same nginx, TLS certificate and worker count as the proxy, serving a small file from disk
/// with nothing behind it.
/// </summary>
internal sealed class StaticNginx : IDisposable
{
    private readonly Process _nginx;
    private readonly string _directory;

    private StaticNginx(Process nginx, string directory, int port)
    {
        _nginx = nginx;
        _directory = directory;
        Url = $"https://localhost:{port}/small.txt";
    }

    public string Url { get; }

    public static async Task<StaticNginx> StartAsync(string certificateDirectory)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"bench-nginx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(directory, "www"));
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(directory, "www"), (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Combine(directory, "www", "small.txt"), new string('x', 512));
        File.SetUnixFileMode(Path.Combine(directory, "www", "small.txt"), (UnixFileMode)0b110_100_100);
        var port = FreePort();
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            worker_processes {{Environment.ProcessorCount}};
            pid {{directory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 2048; }
            http {
                access_log off;
                server_tokens off;
                sendfile on;
                keepalive_requests 100000;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificateDirectory}}/server.crt;
                    ssl_certificate_key {{certificateDirectory}}/server.key;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    root {{directory}}/www;
                }
            }
            """);
        var nginx = Process.Start(new ProcessStartInfo("/usr/sbin/nginx", ["-p", directory, "-c", config, "-e", "stderr", "-g", "daemon off;"]))!;
        for (var attempt = 0; attempt < 100 && !nginx.HasExited; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new StaticNginx(nginx, directory, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("the ceiling nginx did not start");
    }

    public void Dispose()
    {
        Process.Start("kill", ["-QUIT", _nginx.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
        _nginx.WaitForExit(5000);
        _nginx.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
