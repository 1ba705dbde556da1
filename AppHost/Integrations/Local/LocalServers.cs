using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// What every local-process server of ours shares: the data directory that survives restarts, the ports they listen on
/// (their own, never DCP's proxy, so that no hot path goes through it) and the user PostgreSQL must run as.
/// </summary>
internal static class LocalServers
{
    public const string DataDirectoryKey = "AppHost:DataDirectory";

    /// <summary>
    /// <c>AppHost:DataDirectory</c>, else one directory per AppHost checkout: under /var/lib as root (PostgreSQL's user
    /// cannot traverse /root), else under the user's XDG data home.
    /// </summary>
    public static string DataDirectory(IDistributedApplicationBuilder builder)
    {
        var directory = builder.Configuration[DataDirectoryKey];
        if (string.IsNullOrEmpty(directory))
        {
            var checkout = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.AppHostDirectory)))[..10];
            var root = Environment.IsPrivilegedProcess
                ? "/var/lib/readinessaspire"
                : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "readinessaspire");
            directory = Path.Combine(root, $"apphost-{checkout}");
        }

        directory = Path.GetFullPath(directory, builder.AppHostDirectory);
        Directory.CreateDirectory(directory);
        // Servers that run as another user (PostgreSQL) must traverse it; what is private inside is 0700 on its own.
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        return directory;
    }

    /// <summary>A subdirectory of the data directory, created.</summary>
    public static string DataSubdirectory(IDistributedApplicationBuilder builder, params string[] parts)
    {
        var directory = Path.Combine([DataDirectory(builder), .. parts]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// A free port below Linux's ephemeral range (32768 and up): a port the kernel hands out for port 0 is one it also
    /// hands out as the source port of outgoing connections, which can take it before the server binds it. It is held,
    /// listening, until the caller lets it go: DCP hands out the projects' ports from this same range while the run
    /// starts, testing each by binding it, and a port that is only free would be free to it too.
    /// </summary>
    private static TcpListener HoldFreePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, Random.Shared.Next(20000, 32000));
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException)
            {
                // Taken, or held for another server of this run: try another.
                listener.Dispose();
            }
        }

        throw new DistributedApplicationException("No free loopback port between 20000 and 32000 after 100 tries");
    }

    /// <summary>
    /// Generated server passwords are kept in the AppHost's user secrets, which Aspire writes in every environment but
    /// reads back only in Development: read them everywhere, or a Production start would generate a new password
    /// that the existing PostgreSQL cluster does not know. Lowest precedence, so the environment still overrides.
    /// </summary>
    public static void ReadUserSecretsInEveryEnvironment(IDistributedApplicationBuilder builder)
    {
        var id = builder.Configuration["ASPIRE_USER_SECRETS_ID"]
            ?? System.Reflection.Assembly.GetEntryAssembly()?.GetCustomAttributes(typeof(Microsoft.Extensions.Configuration.UserSecrets.UserSecretsIdAttribute), false)
                .OfType<Microsoft.Extensions.Configuration.UserSecrets.UserSecretsIdAttribute>().FirstOrDefault()?.UserSecretsId;
        // In Development the host has added it already (as user secrets: a JSON file named secrets.json).
        if (id is null || builder.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>().Any(s => s.Path == "secrets.json"))
        {
            return;
        }

        builder.Configuration.Sources.Insert(0, new ConfigurationBuilder().AddUserSecrets(id).Sources.Single());
    }

    /// <summary>
    /// Adds a loopback endpoint that the server binds itself: no DCP proxy between clients and the server. The port is
    /// <paramref name="port"/> in a real run; a free one when there is none, or when the testing builder asks for random
    /// ports (<c>DcpPublisher:RandomizePorts</c>) so that tests never clash with a running AppHost or each other. A free
    /// port stays held until the server is about to start, so that nothing else in the run is given it meanwhile.
    /// </summary>
    public static IResourceBuilder<T> WithLocalEndpoint<T>(this IResourceBuilder<T> builder, string name, string scheme, int? port = null, bool isExternal = false)
        where T : IResourceWithEndpoints
    {
        int local;
        if (port is int preferred && !builder.ApplicationBuilder.Configuration.GetValue<bool>("DcpPublisher:RandomizePorts"))
        {
            local = preferred;
        }
        else
        {
            var held = HoldFreePort();
            local = ((IPEndPoint)held.LocalEndpoint).Port;
            // Handlers run in the order subscribed, and each integration subscribes its own first (nginx's and
            // Prometheus's wait for the replicas): the port is let go just before the process starts.
            builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(builder.Resource, (_, _) =>
            {
                held.Dispose();
                return Task.CompletedTask;
            });
        }

        return builder.WithEndpoint(name, endpoint =>
        {
            endpoint.UriScheme = scheme;
            endpoint.Port = local;
            endpoint.TargetPort = local;
            endpoint.IsProxied = false;
            endpoint.IsExternal = isExternal;
        });
    }

    /// <summary>Writes a file only its owner can read: passwords and keys never go on a command line.</summary>
    public static void WritePrivateFile(string path, string contents) => WritePrivateFile(path, Encoding.UTF8.GetBytes(contents));

    /// <inheritdoc cref="WritePrivateFile(string, string)"/>
    public static void WritePrivateFile(string path, ReadOnlySpan<byte> contents)
    {
        File.WriteAllBytes(path, []);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllBytes(path, contents);
    }

    /// <summary>
    /// Replaces a file a running server may read at any moment (on SIGHUP, or when it sees the file change): written
    /// beside it and renamed over it, so the server reads the old file or the new one, never half of one. An unchanged
    /// file is left alone.
    /// </summary>
    public static async Task ReplaceFileAsync(string path, string contents, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken) == contents)
        {
            return;
        }

        var next = path + ".next";
        await File.WriteAllTextAsync(next, contents, cancellationToken);
        File.Move(next, path, overwrite: true);
    }

    /// <summary>
    /// Runs a server's own checker (<c>nginx -t</c>, <c>promtool check</c>) to completion: null when it passes, else
    /// what it printed.
    /// </summary>
    public static async Task<string?> CheckAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new System.Diagnostics.ProcessStartInfo(command, arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? null : ((await output) + (await errors)).Trim();
    }

    /// <summary>Names the package to install (Debian's, unless <paramref name="installer"/> says npm) when a server's binary is missing, before anything starts.</summary>
    public static void RequireFile(string path, string package, string installer = "apt-get install -y")
    {
        if (!File.Exists(path))
        {
            throw new DistributedApplicationException($"{path} not found; install it with: {installer} {package} (or run bash .ci/install)");
        }
    }
}
