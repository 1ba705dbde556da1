using System.Diagnostics;
using Npgsql;
using ReadinessAspire.Testing;
using WebApi.Tests.Security;

namespace WebApi.Tests.Data;

/// <summary>
/// A throwaway PostgreSQL from Debian's packages on a free loopback port, started by the AppHost's own
/// <c>postgres-local.sh</c> (initdb, then the postmaster as the <c>postgres</c> user when run as root); its data is
/// deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Under /tmp, not the user's temp folder: PostgreSQL's user must traverse every parent.
    private readonly string _directory = Path.Combine("/tmp", "readinessaspire-webapi-tests", Guid.NewGuid().ToString("N")[..12]);
    private readonly string _password = Secrets.Strong();
    private Process? _process;
    private int _port;

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Password={_password};Database=postgres";

    /// <summary>PostgreSQL's data directory, kept from a stop to the next start.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Where the data directory and the script's password file live; every user may traverse it.</summary>
    public string Root => _directory;

    public Task InitializeAsync()
    {
        CreateDirectory();
        return StartAsync();
    }

    /// <summary>Makes <see cref="Root"/>, without starting anything.</summary>
    public void CreateDirectory()
    {
        Directory.CreateDirectory(_directory);
        File.SetUnixFileMode(Path.GetDirectoryName(_directory)!, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Starts the script on <see cref="DataDirectory"/> and <paramref name="port"/> or a new one; returns once PostgreSQL accepts connections.</summary>
    public async Task StartAsync(int? port = null)
    {
        var errors = new System.Text.StringBuilder();
        _process = Launch(errors, port);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (NpgsqlException exception)
            {
                lock (errors)
                {
                    throw new InvalidOperationException($"PostgreSQL did not start on {_port}: {exception.Message}\n{errors}", exception);
                }
            }
        }
    }

    /// <summary>
    /// Starts the script and returns at once; <see cref="StopAsync"/> ends it. <paramref name="binaries"/> stands in
    /// for PostgreSQL's bin directory, so a test can put its own initdb or postgres there.
    /// </summary>
    public Process Launch(System.Text.StringBuilder errors, int? port = null, string? binaries = null)
    {
        _port = port ?? FreeLoopbackPorts.One();
        var startInfo = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["POSTGRES_PASSWORD"] = _password },
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "postgres-local.sh"), binaries ?? FindBinaries(), DataDirectory,
            _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "fsync=off", "-c", "synchronous_commit=off" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = Process.Start(startInfo)!;
        _process.ErrorDataReceived += (_, line) => { lock (errors) { errors.AppendLine(line.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        return _process;
    }

    /// <summary>Ends the script (its postmaster gets SIGINT, a fast shutdown) and waits until the postmaster has gone.</summary>
    public async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_process is { HasExited: false })
        {
            // The script's postmaster runs with a parent-death signal of SIGINT: PostgreSQL's fast shutdown.
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        var postmasterPid = Path.Combine(DataDirectory, "postmaster.pid");
        for (var waited = 0; File.Exists(postmasterPid) && waited < 200; waited++)
        {
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public static string FindBinaries() =>
        (Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")))
                .Order()
                .LastOrDefault()
            : null) ?? throw new InvalidOperationException("PostgreSQL is not installed: run bash .ci/install");
}
