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
}
