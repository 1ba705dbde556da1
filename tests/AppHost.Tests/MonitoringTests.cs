using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost.Tests.Deployment;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

/// <summary>Prometheus watching the real stack, and the alert rules it loads.</summary>
[Collection(StackTestGroup.Name)]
public sealed class MonitoringTests(StackFixture stack)
{
    private static string MonitoringDirectory => RepositoryFiles.Path("Monitoring");

    [Fact]
    public async Task Promtool_accepts_the_alert_rules_and_their_unit_tests_pass()
    {
        Assert.Equal(0, await PromtoolAsync("check", "rules", "alert-rules.yml"));
        Assert.Equal(0, await PromtoolAsync("test", "rules", "alert-rules.test.yml"));
    }

    [Fact]
    public async Task Every_target_is_up_and_webapi_has_a_request_duration_histogram_by_route()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus");
        using var api = stack.App.CreateHttpClient("webapi");
        (await api.GetAsync("/api/checklists")).Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var targets = await PollAsync(prometheus, "/api/v1/targets", data => data.GetProperty("activeTargets").EnumerateArray().All(t => t.GetProperty("health").GetString() == "up"), timeout.Token);
        var jobs = targets.GetProperty("activeTargets").EnumerateArray().Select(t => t.GetProperty("labels").GetProperty("job").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "webapi", "static", "proxy-exporter", "cache-exporter", "postgres-exporter" }, jobs);
        Assert.Equal(2, targets.GetProperty("activeTargets").EnumerateArray().Count(t => t.GetProperty("labels").GetProperty("job").GetString() == "webapi"));

        // The route template, not the path: a group's root is recorded as "/api/checklists/".
        var query = Uri.EscapeDataString("http_server_request_duration_seconds_bucket{job=\"webapi\", http_route=~\"/api/checklists.*\"}");
        var series = await PollAsync(prometheus, $"/api/v1/query?query={query}", data => data.GetProperty("result").GetArrayLength() > 0, timeout.Token);
        Assert.All(series.GetProperty("result").EnumerateArray(), s => Assert.StartsWith("/api/checklists", s.GetProperty("metric").GetProperty("http_route").GetString(), StringComparison.Ordinal));
        Assert.Contains(series.GetProperty("result").EnumerateArray(), s => s.GetProperty("metric").GetProperty("le").GetString() == "0.5");
    }

    private static async Task<JsonElement> PollAsync(HttpClient client, string path, Func<JsonElement, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var data = (await client.GetFromJsonAsync<JsonElement>(path, cancellationToken)).GetProperty("data");
            if (done(data))
            {
                return data;
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private static async Task<int> PromtoolAsync(params string[] args)
    {
        using var promtool = Process.Start(new ProcessStartInfo("promtool", args) { WorkingDirectory = MonitoringDirectory })!;
        await promtool.WaitForExitAsync();
        return promtool.ExitCode;
    }
}
