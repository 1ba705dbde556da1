namespace StaticHost.Tests;

/// <summary>
/// StaticHost's deploy audit: <c>check --deploy</c> (the dashboard's "Check deploy" command runs it) reports it, and a
/// Production start with an error finding is refused. A file server keeps no data-protection keys, so those checks
/// are not its.
/// </summary>
public sealed class DeployCheckTests
{
    private static readonly Dictionary<string, string> s_allowedHosts = new() { ["AllowedHosts"] = "static.example.com;localhost" };
    private static readonly Dictionary<string, string> s_anyHost = new() { ["AllowedHosts"] = "*" };

    [Fact]
    public async Task Check_deploy_reports_the_audit_and_exits_1_only_on_an_error()
    {
        var (clean, cleanOutput) = await StaticHostServer.RunToExitAsync(s_allowedHosts, "check", "--deploy");
        var (failing, failingOutput) = await StaticHostServer.RunToExitAsync(s_anyHost, "check", "--deploy");

        Assert.True(clean == 0, cleanOutput);
        Assert.Contains("check --deploy (Production): 0 error(s)", cleanOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("RA-D", cleanOutput, StringComparison.Ordinal);
        Assert.True(failing == 1, failingOutput);
        Assert.Contains("RA-H001 error:", failingOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_start_that_allows_any_host_is_refused_with_the_reason()
    {
        var (exitCode, output) = await StaticHostServer.RunToExitAsync(s_anyHost);

        Assert.True(exitCode == 1, output);
        Assert.StartsWith("RA-H001 error:", output.Trim(), StringComparison.Ordinal);
    }
}
