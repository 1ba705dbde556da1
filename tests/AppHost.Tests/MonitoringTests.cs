using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost.Tests.Deployment;

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
    public async Task Prometheus_cannot_be_stopped_or_reloaded_over_http()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus");
        foreach (var lifecycle in new[] { "/-/quit", "/-/reload" })
        {
            using var refused = await prometheus.PostAsync(new Uri(lifecycle, UriKind.Relative), null);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var ready = await prometheus.GetAsync(new Uri("/-/ready", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Every_target_is_up_and_webapi_has_a_request_duration_histogram_by_route()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus");
        using var api = stack.App.CreateHttpClient("webapi");
        (await api.GetAsync("/api/checklists")).Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // Prometheus finds the replicas' targets in files the AppHost writes: wait until it has read them and scraped each.
        var replicas = (await stack.App.WaitUntilAsync(s => s.Replicas("webapi") is [_, _], timeout.Token)).Replicas("webapi");
        var targets = await PollAsync(
            prometheus,
            "/api/v1/targets",
            data => data.GetProperty("activeTargets").EnumerateArray().ToList() is var active
                && active.Count(t => Job(t) == "webapi") == replicas.Count
                && active.All(t => t.GetProperty("health").GetString() == "up"),
            timeout.Token);

        var active = targets.GetProperty("activeTargets").EnumerateArray().ToList();
        Assert.Equal(new HashSet<string?> { "webapi", "static", "backup", "proxy-exporter", "cache-exporter", "postgres-exporter" }, active.Select(Job).ToHashSet());
        Assert.All(active, t => Assert.Equal("up", t.GetProperty("health").GetString()));

        // Every replica of webapi is a target of its own, on its own management port, labelled with its resource id.
        List<(string? Replica, string? Address)> expected = [.. replicas.Select(r => ((string?)r.ResourceId, (string?)$"127.0.0.1:{r.EnvironmentPort("REPLICA_MANAGEMENT_PORT")}"))];
        List<(string? Replica, string? Address)> scraped = [.. active.Where(t => Job(t) == "webapi")
            .Select(t => (t.GetProperty("labels").GetProperty("replica").GetString(), t.GetProperty("labels").GetProperty("instance").GetString()))
            .OrderBy(t => t.Item1, StringComparer.Ordinal)];
        Assert.Equal(expected, scraped);

        // The route template, not the path: a group's root is recorded as "/api/checklists/".
        var query = Uri.EscapeDataString("http_server_request_duration_seconds_bucket{job=\"webapi\", http_route=~\"/api/checklists.*\"}");
        var series = await PollAsync(prometheus, $"/api/v1/query?query={query}", data => data.GetProperty("result").GetArrayLength() > 0, timeout.Token);
        Assert.All(series.GetProperty("result").EnumerateArray(), s => Assert.StartsWith("/api/checklists", s.GetProperty("metric").GetProperty("http_route").GetString(), StringComparison.Ordinal));
        Assert.Contains(series.GetProperty("result").EnumerateArray(), s => s.GetProperty("metric").GetProperty("le").GetString() == "0.5");
    }

    [Fact]
    public async Task The_nginx_exporter_started_beside_nginx_reaches_its_stub_status()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // The exporter starts once nginx runs, not once it is healthy, and retries until nginx answers: nginx_up is 1
        // only if it got there, and the connections nginx counts are the exporter's reading of stub_status.
        var result = await PollAsync(
            prometheus,
            "/api/v1/query?query=" + Uri.EscapeDataString("nginx_up{job=\"proxy-exporter\"}"),
            data => data.GetProperty("result").EnumerateArray().Any(r => r.GetProperty("value")[1].GetString() == "1"),
            timeout.Token);
        Assert.Equal("1", Assert.Single(result.GetProperty("result").EnumerateArray()).GetProperty("value")[1].GetString());
        var accepted = await PollAsync(
            prometheus,
            "/api/v1/query?query=" + Uri.EscapeDataString("nginx_connections_accepted{job=\"proxy-exporter\"}"),
            data => data.GetProperty("result").GetArrayLength() == 1,
            timeout.Token);
        Assert.True(double.Parse(accepted.GetProperty("result")[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    private static string? Job(JsonElement target) => target.GetProperty("labels").GetProperty("job").GetString();

    /// <summary>Asks Prometheus until <paramref name="done"/> accepts its data; fails with the last answer if the token ends the wait.</summary>
    private static async Task<JsonElement> PollAsync(HttpClient client, string path, Func<JsonElement, bool> done, CancellationToken cancellationToken)
    {
        var data = default(JsonElement);
        try
        {
            while (true)
            {
                data = (await client.GetFromJsonAsync<JsonElement>(path, cancellationToken)).GetProperty("data");
                if (done(data))
                {
                    return data;
                }

                await Task.Delay(500, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"Prometheus's {path} never answered as expected; last: {(data.ValueKind == JsonValueKind.Undefined ? "nothing" : data.GetRawText())}");
        }
    }

    private static async Task<int> PromtoolAsync(params string[] args)
    {
        using var promtool = Process.Start(new ProcessStartInfo("promtool", args) { WorkingDirectory = MonitoringDirectory })!;
        await promtool.WaitForExitAsync();
        return promtool.ExitCode;
    }
}
