using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ReadinessAspire.Testing;
using Scanner.Net;

namespace Scanner.Tests.Sites;

/// <summary>Where a site's config points: its prefix, web root, ports and certificate files (all absolute).</summary>
/// <param name="Prefix">nginx's prefix (-p); conf/, html/, logs/, temp/ and tls/ live under it.</param>
/// <param name="Root">The web root, <c>Prefix/html</c>.</param>
/// <param name="HttpPort">The plain-HTTP listener on 127.0.0.1.</param>
/// <param name="HttpsPort">The HTTPS listener on 127.0.0.1.</param>
/// <param name="CertificatePath">The site's certificate (PEM).</param>
/// <param name="KeyPath">The site's private key (PEM).</param>
public sealed record SiteLayout(string Prefix, string Root, int HttpPort, int HttpsPort, string CertificatePath, string KeyPath);

/// <summary>A site nginx serves: the server blocks of its config, its files and its certificate.</summary>
/// <param name="Name">A short name for folders and messages.</param>
/// <param name="ServerBlocks">The <c>server { }</c> blocks (and any http-level directives), written inside <c>http { }</c>.</param>
/// <param name="Files">Files to write, by path relative to the prefix (e.g. "html/index.html", "conf/headers.conf").</param>
/// <param name="Certificate">Makes the certificate the HTTPS listener presents.</param>
public sealed record SiteDefinition(
    string Name,
    Func<SiteLayout, string> ServerBlocks,
    IReadOnlyDictionary<string, string> Files,
    Func<TestCertificateAuthority, PemCertificate> Certificate);

/// <summary>
/// Debian's nginx serving one <see cref="SiteDefinition"/> on two free 127.0.0.1 ports, as a child process of the test:
/// <c>nginx -p PREFIX -c conf/nginx.conf -e logs/error.log -g 'daemon off;'</c> with every path inside a fresh prefix
/// under /tmp (world-readable: as root nginx's workers run as nobody). Stopped by SIGQUIT to the pid it started.
/// </summary>
public sealed class NginxSite : IAsyncDisposable
{
    private const string NginxPath = "/usr/sbin/nginx";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);

    private static readonly UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly UnixFileMode FileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly Process process;
    private bool stopped;

    private NginxSite(SiteDefinition definition, SiteLayout layout, PemCertificate certificate, Process process)
    {
        Definition = definition;
        Layout = layout;
        Certificate = certificate;
        this.process = process;
    }

    public SiteDefinition Definition { get; }

    public SiteLayout Layout { get; }

    /// <summary>The certificate the HTTPS listener presents.</summary>
    public PemCertificate Certificate { get; }

    public int HttpPort => Layout.HttpPort;

    public int HttpsPort => Layout.HttpsPort;

    /// <summary>The pid of the nginx master this fixture started.</summary>
    public int ProcessId => process.Id;

    public bool HasExited => stopped || process.HasExited;

    public Uri HttpUrl => new($"http://localhost:{HttpPort}/");

    public Uri HttpsUrl => new($"https://localhost:{HttpsPort}/");

    /// <summary>The test CA's certificate (PEM), for <see cref="ScannerOptions.TrustedRootCertificates"/>.</summary>
    public static string CaCertificatePath => TestCertificateAuthority.Shared.CertificatePath;

    /// <summary>The scan target: the HTTPS URL, with this site's plain-HTTP port for the redirect test.</summary>
    public ScanTarget Target(ScanProfile profile = ScanProfile.Web) => new(HttpsUrl, profile, HttpPort, HttpsPort);

    /// <summary>
    /// Options that let the scanner reach this site and nothing else local: loopback allow-listed, this site's two ports,
    /// the test CA trusted (unless <paramref name="trustTestCa"/> is false), short timeouts.
    /// </summary>
    public ScannerOptions CreateOptions(bool trustTestCa = true) => new()
    {
        AllowedTargets = "127.0.0.1,::1",
        AllowedPorts = string.Create(CultureInfo.InvariantCulture, $"{HttpPort},{HttpsPort}"),
        TrustedRootCertificates = trustTestCa ? CaCertificatePath : "",
        RequestTimeout = TimeSpan.FromSeconds(5),
        ScanTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>A resolver that knows only <c>localhost</c> (127.0.0.1), so no test asks the system's DNS.</summary>
    public static IHostResolver Resolver { get; } = new StaticHostResolver(new Dictionary<string, IPAddress[]>
    {
        ["localhost"] = [IPAddress.Loopback],
    });

    /// <summary>A client for this site: <see cref="CreateOptions"/> and <see cref="Resolver"/>.</summary>
    public SiteClient CreateClient(bool trustTestCa = true) => new(CreateOptions(trustTestCa), Resolver);

    /// <summary>nginx's error log so far, for failure messages.</summary>
    public string ErrorLog()
    {
        var path = Path.Combine(Layout.Prefix, "logs", "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>Writes the site into a new prefix, starts nginx on two free ports and waits until both listen.</summary>
    public static async Task<NginxSite> StartAsync(SiteDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var certificate = definition.Certificate(TestCertificateAuthority.Shared);

        // A port found free may be taken before nginx binds it: try again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreeLoopbackPorts.Take(2);
            var layout = WriteSite(definition, certificate, ports[0], ports[1]);
            var process = Process.Start(StartInfo(layout)) ?? throw new InvalidOperationException("nginx did not start.");
            var site = new NginxSite(definition, layout, certificate, process);
            try
            {
                await site.WaitUntilListeningAsync(cancellationToken);
                return site;
            }
            catch (InvalidOperationException) when (attempt < 3 && site.ErrorLog().Contains("Address already in use", StringComparison.Ordinal))
            {
                await site.DisposeAsync();
            }
            catch
            {
                await site.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (stopped)
        {
            return;
        }

        if (!process.HasExited)
        {
            // SIGQUIT is nginx's graceful stop; sent to the master this fixture started, by its pid.
            using (var quit = Process.Start(new ProcessStartInfo("/bin/kill", ["-QUIT", process.Id.ToString(CultureInfo.InvariantCulture)])))
            {
                if (quit is not null)
                {
                    await quit.WaitForExitAsync();
                }
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        stopped = true;
        process.Dispose();
        try
        {
            Directory.Delete(Layout.Prefix, recursive: true);
        }
        catch (IOException)
        {
            // A worker still closing a log file; /tmp is cleared anyway.
        }
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx for '{Definition.Name}' exited with {process.ExitCode}: {ErrorLog()}");
            }

            if (await ListensAsync(HttpPort, cancellationToken) && await ListensAsync(HttpsPort, cancellationToken))
            {
                return;
            }

            if (deadline.Elapsed > StartupTimeout)
            {
                throw new InvalidOperationException($"nginx for '{Definition.Name}' did not listen within {StartupTimeout}: {ErrorLog()}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task<bool> ListensAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static ProcessStartInfo StartInfo(SiteLayout layout)
    {
        var startInfo = new ProcessStartInfo(NginxPath)
        {
            UseShellExecute = false,
            WorkingDirectory = layout.Prefix,
        };
        foreach (var argument in new[] { "-p", layout.Prefix + "/", "-c", "conf/nginx.conf", "-e", "logs/error.log", "-g", "daemon off;" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static SiteLayout WriteSite(SiteDefinition definition, PemCertificate certificate, int httpPort, int httpsPort)
    {
        var prefix = Path.Combine("/tmp", $"scanner-site-{definition.Name}-{Guid.NewGuid():N}");
        CreateDirectory(prefix);
        foreach (var folder in new[] { "conf", "html", "logs", "temp", "tls" })
        {
            CreateDirectory(Path.Combine(prefix, folder));
        }

        var layout = new SiteLayout(
            prefix,
            Path.Combine(prefix, "html"),
            httpPort,
            httpsPort,
            Path.Combine(prefix, "tls", "site.crt"),
            Path.Combine(prefix, "tls", "site.key"));

        WriteFile(layout.CertificatePath, certificate.CertificatePem);
        // The master reads the key as root before the workers drop to nobody: owner-only is enough.
        WriteFile(layout.KeyPath, certificate.PrivateKeyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var (relativePath, content) in definition.Files)
        {
            WriteFile(Path.Combine(prefix, relativePath), content);
        }

        WriteFile(Path.Combine(prefix, "conf", "nginx.conf"), MainConfig(definition, layout));
        return layout;
    }

    private static string MainConfig(SiteDefinition definition, SiteLayout layout) => $$"""
        # Test site "{{definition.Name}}", written by NginxSite. Every path nginx writes is inside the prefix.
        worker_processes 1;
        pid logs/nginx.pid;
        error_log logs/error.log warn;

        events {
            worker_connections 128;
        }

        http {
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            access_log logs/access.log;
            client_body_temp_path temp/client_body;
            proxy_temp_path temp/proxy;
            fastcgi_temp_path temp/fastcgi;
            uwsgi_temp_path temp/uwsgi;
            scgi_temp_path temp/scgi;

        {{definition.ServerBlocks(layout)}}
        }

        """;

    private static void WriteFile(string path, string content, UnixFileMode? mode = null)
    {
        CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode ?? FileMode);
        }
    }

    /// <summary>Creates a folder nginx's workers (nobody) can traverse and list.</summary>
    internal static DirectoryInfo CreateDirectory(string path) =>
        OperatingSystem.IsWindows() ? Directory.CreateDirectory(path) : Directory.CreateDirectory(path, DirectoryMode);
}

/// <summary>Resolves only the names it was given and refuses every other, so a test never reaches the system's DNS.</summary>
public sealed class StaticHostResolver(IReadOnlyDictionary<string, IPAddress[]> names) : IHostResolver
{
    private readonly List<string> asked = [];

    /// <summary>Every name asked for, in order.</summary>
    public IReadOnlyList<string> Asked
    {
        get
        {
            lock (asked)
            {
                return [.. asked];
            }
        }
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        lock (asked)
        {
            asked.Add(host);
        }

        return names.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : throw new HttpRequestException(HttpRequestError.NameResolutionError, $"{host} is not a name this test knows");
    }
}
