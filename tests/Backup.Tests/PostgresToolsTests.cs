using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Backup.Tests;

public sealed class PostgresToolsTests
{
    private const string Server = "Host=127.0.0.1;Port=5432;Username=backup;Password=secret;Database=readiness";

    private static PostgresTools Tools(string connectionString, string pgDump) => new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:readiness"] = connectionString }).Build(),
        Options.Create(new BackupOptions { PgDump = pgDump }));

    [Theory]
    [InlineData("SSL Mode=Disable", "disable", null)]
    [InlineData("SSL Mode=Prefer", "prefer", null)]
    [InlineData("SSL Mode=Require", "require", null)]
    [InlineData("SSL Mode=VerifyCA;Root Certificate=/etc/readiness/ca.pem", "verify-ca", "/etc/readiness/ca.pem")]
    [InlineData("SSL Mode=VerifyFull;Root Certificate=/etc/readiness/ca.pem", "verify-full", "/etc/readiness/ca.pem")]
    [InlineData("SSL Mode=VerifyFull", "verify-full", "system")]
    public async Task The_dump_checks_the_server_as_the_connection_string_asks(string tls, string mode, string? roots)
    {
        using var pgDump = new FakeClientProgram(then: "exit 0");
        await Tools($"{Server};{tls}", pgDump.Path).DumpAsync("/dev/null", CancellationToken.None);

        var environment = pgDump.Environment();
        Assert.Equal(mode, environment["PGSSLMODE"]);
        Assert.Equal(roots, environment.GetValueOrDefault("PGSSLROOTCERT"));
        Assert.Equal("secret", environment["PGPASSWORD"]);
    }

    [Fact]
    public async Task A_dump_that_is_stopped_ends_its_pg_dump()
    {
        using var pgDump = new FakeClientProgram(then: "exec sleep 300");
        using var stop = new CancellationTokenSource();
        var dump = Tools(Server, pgDump.Path).DumpAsync("/dev/null", stop.Token);
        var pid = await pgDump.PidAsync(TimeSpan.FromSeconds(30));
        try
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dump);
            Assert.False(IsRunning(pid), $"pg_dump (pid {pid}) still runs after the dump was stopped");
        }
        finally
        {
            // Only if the code under test left it: the process this test started.
            if (IsRunning(pid))
            {
                Process.GetProcessById(pid).Kill();
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
