using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace WebApi.Tests.Data;

/// <summary>The AppHost's <c>postgres-local.sh</c>, run on a real data directory (the AppHost's stack tests start it too).</summary>
public sealed class PostgresLocalScriptTests : IAsyncLifetime
{
    private readonly PostgresServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_start_waits_for_the_previous_postmaster_still_named_in_the_lock_file_to_exit()
    {
        await _server.StopAsync();
        // A process standing in for the previous run's postmaster, still stopping when the next run starts. As root it
        // runs as the postgres user, as the postmaster does: PostgreSQL ignores a lock held by a process it may not signal.
        string[] command = Environment.UserName == "root"
            ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "sleep", "60"]
            : ["sleep", "60"];
        var standIn = new ProcessStartInfo(command[0], command[1..]) { UseShellExecute = false };

        using var previous = Process.Start(standIn)!;
        var lockFile = Path.Combine(_server.DataDirectory, "postmaster.pid");
        await File.WriteAllTextAsync(lockFile, $"{previous.Id.ToString(CultureInfo.InvariantCulture)}\n{_server.DataDirectory}\n");
        try
        {
            var start = _server.StartAsync();
            await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(2)));
            // Without the wait, PostgreSQL refuses at once ("lock file already exists") and the script exits 1.
            Assert.False(start.IsCompleted, start.Exception?.GetBaseException().Message ?? "PostgreSQL started beside a live lock holder");

            previous.Kill();
            await previous.WaitForExitAsync();
            await start;
        }
        finally
        {
            if (!previous.HasExited)
            {
                previous.Kill();
            }
        }

        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_first_start_stopped_during_initdb_stops_initdb_and_leaves_no_password_file()
    {
        var fresh = new PostgresServer();
        fresh.CreateDirectory();
        try
        {
            var script = fresh.Launch(new(), binaries: SlowInitdb(fresh.Root));
            await WaitForPasswordFileAsync(fresh.Root);

            // DCP's stop: SIGTERM to the script.
            using (var term = Process.Start("kill", ["-TERM", script.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await script.WaitForExitAsync();
            Assert.Equal(143, script.ExitCode);
            Assert.Empty(PasswordFiles(fresh.Root));
            // initdb was stopped, not waited for: it never wrote the data directory.
            Assert.False(File.Exists(Path.Combine(fresh.DataDirectory, "PG_VERSION")));
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_first_start_killed_during_initdb_leaves_no_password_file_once_started_again()
    {
        var fresh = new PostgresServer();
        fresh.CreateDirectory();
        try
        {
            fresh.Launch(new(), binaries: SlowInitdb(fresh.Root));
            await WaitForPasswordFileAsync(fresh.Root);
            await fresh.StopAsync();

            await fresh.StartAsync();

            Assert.Empty(PasswordFiles(fresh.Root));
            await using var connection = new NpgsqlConnection(fresh.ConnectionString);
            await connection.OpenAsync();
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    private static string[] PasswordFiles(string root) => Directory.GetFiles(root, ".pwfile.*");

    private static async Task WaitForPasswordFileAsync(string root)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (PasswordFiles(root).Length == 0)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>
    /// PostgreSQL's bin directory, except that initdb first waits a minute, which SIGINT, SIGTERM or the script's end
    /// cuts short (as they stop initdb): a stop is sure to come while the password file is on disk.
    /// </summary>
    private static string SlowInitdb(string root)
    {
        var binaries = Path.Combine(root, "bin");
        Directory.CreateDirectory(binaries);
        File.SetUnixFileMode(binaries, (UnixFileMode)0b111_101_101);
        var real = PostgresServer.FindBinaries();
        var initdb = Path.Combine(binaries, "initdb");
        // Perl, not bash: the script starts it in the background with SIGINT ignored, which bash could not trap. A
        // signal sent before the handler is set is lost (or, for SIGTERM, ends it anyway), so it also watches its parent.
        File.WriteAllText(initdb, $$"""
            #!/usr/bin/perl
            $SIG{INT} = $SIG{TERM} = sub { exit 130 };
            my $parent = getppid();
            for (1 .. 600) { exit 130 if getppid() != $parent; select(undef, undef, undef, 0.1); }
            exec '{{real}}/initdb', @ARGV;
            """);
        File.SetUnixFileMode(initdb, (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(binaries, "postgres"), Path.Combine(real, "postgres"));
        return binaries;
    }
}
