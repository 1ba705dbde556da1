using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ReadinessAspire.Testing;

namespace ReadinessAspire.Bench;

/// <summary>
/// An nginx of the bench's own, with the proxy's TLS certificate and worker count: the ceiling (a small file from disk,
/// nothing behind it) or a bare reverse proxy in front of a given upstream, to compare upstream paths with nothing
/// else different. Stopped (SIGQUIT, then SIGKILL) and its directory removed on dispose.
/// </summary>
internal sealed class BenchNginx : IDisposable
{
    private readonly Process _nginx;
    private readonly string _directory;

    private BenchNginx(Process nginx, string directory, string url)
    {
        _nginx = nginx;
        _directory = directory;
        Url = url;
    }

    public string Url { get; }

    public int ProcessId => _nginx.Id;

    /// <summary>
    /// Serves a file of <paramref name="size"/> bytes: what nginx can do on this machine with TLS and nothing behind it.
    /// The goals compare the API with "a same-size static file", so the bench gives it the API answer's length.
    /// </summary>
    public static Task<BenchNginx> StartStaticAsync(string certificateDirectory, int size, CancellationToken cancellationToken) =>
        StartAsync(certificateDirectory, "small.txt", directory => $$"""
                root {{directory}}/www;
            """, cancellationToken, fileSize: size);

    /// <summary>
    /// Proxies <c>/api/</c> to <paramref name="upstreamPorts"/> on 127.0.0.1 with the keepalive settings of the
    /// AppHost's proxy (HTTP/1.1 upstream, 64 idle connections kept for at most 2 s, 10000 requests per client connection) and no cache,
    /// so every request crosses the upstream hop.
    /// </summary>
    public static Task<BenchNginx> StartProxyAsync(string certificateDirectory, IReadOnlyCollection<int> upstreamPorts, string path, CancellationToken cancellationToken)
    {
        if (upstreamPorts.Count == 0)
        {
            throw new ArgumentException("no upstream port", nameof(upstreamPorts));
        }

        var servers = string.Concat(upstreamPorts.Select(p => $"server 127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)} max_fails=1 fail_timeout=5s; "));
        return StartAsync(certificateDirectory, path.TrimStart('/'), _ => $$"""
                location /api/ {
                    proxy_pass http://upstream_under_test;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_set_header X-Forwarded-Proto https;
                    proxy_connect_timeout 2s;
                    proxy_read_timeout 30s;
                }
            """, cancellationToken, upstream: $$"""
            upstream upstream_under_test {
                {{servers}}
                keepalive 64;
                keepalive_timeout 2s;
            }
            """);
    }

    private static async Task<BenchNginx> StartAsync(string certificateDirectory, string path, Func<string, string> serverBody, CancellationToken cancellationToken, string upstream = "", int? fileSize = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"bench-nginx-{Guid.NewGuid():N}");
        // As root, nginx's workers run as nobody: what they serve must be world-readable.
        Directory.CreateDirectory(Path.Combine(directory, "www"));
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(directory, "www"), (UnixFileMode)0b111_101_101);
        if (fileSize is { } size)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "www", "small.txt"), new string('x', size), cancellationToken);
            File.SetUnixFileMode(Path.Combine(directory, "www", "small.txt"), (UnixFileMode)0b110_100_100);
        }

        var port = FreeLoopbackPorts.One();
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
                # As the proxy has it: the ceiling is nginx at its best, so a ratio cannot gain from tuning the proxy alone.
                open_file_cache max=1000 inactive=20s;
                keepalive_timeout 65s;
                keepalive_requests 10000;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{upstream}}
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificateDirectory}}/server.crt;
                    ssl_certificate_key {{certificateDirectory}}/server.key;
                    ssl_protocols TLSv1.2 TLSv1.3;
            {{serverBody(directory)}}
                }
            }
            """, cancellationToken);
        var nginx = Process.Start(new ProcessStartInfo("/usr/sbin/nginx", ["-p", directory, "-c", config, "-e", "stderr", "-g", "daemon off;"]))
            ?? throw new InvalidOperationException("nginx did not start; install it: apt-get install -y nginx");
        var started = new BenchNginx(nginx, directory, $"https://localhost:{port.ToString(CultureInfo.InvariantCulture)}/{path}");
        try
        {
            for (var attempt = 0; attempt < 100 && !nginx.HasExited; attempt++)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return started;
                }
                catch (SocketException)
                {
                    await Task.Delay(50, cancellationToken);
                }
            }

            throw new InvalidOperationException($"the bench's nginx ({config}) did not start");
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_nginx.HasExited)
        {
            // SIGQUIT: graceful stop. Only this nginx, by its pid.
            using (var quit = Process.Start("/bin/kill", ["-QUIT", _nginx.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                quit.WaitForExit();
            }

            if (!_nginx.WaitForExit(5000))
            {
                _nginx.Kill(entireProcessTree: true);
                _nginx.WaitForExit(5000);
            }
        }

        _nginx.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
