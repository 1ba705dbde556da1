using System.Text.Json;

namespace WebApi.Tests.Security;

/// <summary>The real WebApi in Production: a wrong setting refuses the start with one line per error; right settings start.</summary>
public sealed class StartupRefusalTests : IDisposable
{
    private readonly ProductionSettings _settings = new();

    [Fact]
    public async Task A_missing_secret_stops_the_start_with_one_line_naming_it()
    {
        var (exitCode, stdout, stderr) = await WebApiProcess.RunToExitAsync(_settings.GoodWith("ConnectionStrings__readiness", null));

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(stderr);
        Assert.StartsWith("RA-S001 error:", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:readiness", line, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Any_host_allowed_stops_the_start()
    {
        var (exitCode, _, stderr) = await WebApiProcess.RunToExitAsync(_settings.GoodWith("AllowedHosts", "*"));

        Assert.NotEqual(0, exitCode);
        Assert.StartsWith("RA-H001 error:", Assert.Single(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weak_password_stops_the_start_without_showing_it()
    {
        const string Weak = "postgres";
        var (exitCode, stdout, stderr) = await WebApiProcess.RunToExitAsync(
            _settings.GoodWith("ConnectionStrings__readiness", Secrets.PostgresConnectionString(Weak)));

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(stderr);
        Assert.StartsWith("RA-S003 error:", line, StringComparison.Ordinal);
        Assert.DoesNotContain($"={Weak}", line, StringComparison.Ordinal);
        Assert.DoesNotContain(stdout, output => output.Contains($"={Weak}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_deploy_exits_1_on_errors_and_0_on_warnings_only()
    {
        var (failing, failingOutput, _) = await WebApiProcess.RunToExitAsync(_settings.GoodWith("AllowedHosts", "*"), "check", "--deploy");
        var (warningOnly, warningOutput, _) = await WebApiProcess.RunToExitAsync(
            _settings.Good(), "check", "--deploy");

        Assert.Equal(1, failing);
        Assert.Contains(failingOutput, line => line.StartsWith("RA-H001 error:", StringComparison.Ordinal) && line.Contains(" Fix: ", StringComparison.Ordinal));
        Assert.Equal(0, warningOnly);
        Assert.Contains(warningOutput, line => line.StartsWith("RA-A002 warning:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_deploy_writes_json_when_asked()
    {
        var (exitCode, stdout, _) = await WebApiProcess.RunToExitAsync(_settings.GoodWith("DetailedErrors", "true"), "check", "--deploy", "--format", "json");

        Assert.Equal(1, exitCode);
        using var report = JsonDocument.Parse(string.Join('\n', stdout));
        // Warnings may accompany it (no mail transport is configured in these tests); the one error is the setting.
        var finding = Assert.Single(report.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("severity").GetString() == "error");
        Assert.Equal("RA-X001", finding.GetProperty("id").GetString());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.False(string.IsNullOrEmpty(finding.GetProperty("fix").GetString()));
    }

    [Fact]
    public async Task Good_settings_start_and_answer_health_probes_on_127_0_0_1()
    {
        await using var webApi = await WebApiProcess.StartAsync(_settings.Good());
        using var client = webApi.CreateClient();

        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
    }

    public void Dispose() => _settings.Dispose();
}
