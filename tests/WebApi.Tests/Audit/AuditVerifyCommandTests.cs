using ReadinessAspire.Testing;
using WebApi.Tests.Security;

namespace WebApi.Tests.Audit;

/// <summary>
/// <c>WebApi audit verify</c> as a process, where it cannot get as far as a chain: exit 2 and one line on stderr.
/// Intact and broken chains are checked against real PostgreSQL in AppHost.Tests (<c>AuditChainTests</c>).
/// </summary>
public sealed class AuditVerifyCommandTests
{
    [Theory]
    [InlineData("audit")]
    [InlineData("audit", "list")]
    [InlineData("audit", "verify", "--team", "not-a-guid")]
    [InlineData("audit", "verify", "--everything")]
    public async Task Bad_usage_exits_2_with_the_usage_on_one_line(params string[] args)
    {
        var (exitCode, stdout, stderr) = await WebApiProcess.RunToExitAsync(
            new Dictionary<string, string> { ["ConnectionStrings__readiness"] = ClosedPortConnectionString() }, args);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: WebApi audit verify [--team <team id>]", Assert.Single(stderr), StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task An_unreachable_database_exits_2_with_one_line()
    {
        var (exitCode, stdout, stderr) = await WebApiProcess.RunToExitAsync(
            new Dictionary<string, string> { ["ConnectionStrings__readiness"] = ClosedPortConnectionString() }, "audit", "verify");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("audit verify: cannot read the audit trail: Failed to connect to 127.0.0.1:", Assert.Single(stderr), StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    /// <summary>A loopback port nothing listens on: one the system just handed out and took back.</summary>
    private static string ClosedPortConnectionString()
    {
        var port = FreeLoopbackPorts.One();
        return $"Host=127.0.0.1;Port={port};Username=postgres;Password=unused;Database=readiness;Timeout=5";
    }
}
