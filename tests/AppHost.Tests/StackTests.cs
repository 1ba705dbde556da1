using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReadinessAspire.Hosting.Orchestration;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

[Collection(StackTestGroup.Name)]
public sealed class StackTests(StackFixture stack)
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Resource_api_lists_every_resource_healthy_and_the_migrator_finished()
    {
        using var client = new HttpClient { BaseAddress = stack.App.ResourceApiUri };
        var resources = await client.GetFromJsonAsync<JsonElement[]>("/api/resources", s_web);

        var states = resources!.ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("state").GetString());
        Assert.Equal("Healthy", states["postgres"]);
        Assert.Equal("Healthy", states["readiness"]);
        Assert.Equal("Healthy", states["cache"]);
        Assert.Equal("Healthy", states["webapi"]);
        Assert.Equal("Healthy", states["static"]);
        Assert.Equal("Finished", states["migrator"]);

        var webapi = resources!.Single(r => r.GetProperty("name").GetString() == "webapi");
        Assert.Equal(2, webapi.GetProperty("pids").GetArrayLength());
        var replicas = webapi.GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal(2, replicas.Count);
        // Each replica: its public HTTP endpoint and its internal management endpoint, all distinct ports.
        Assert.All(replicas, r => Assert.Equal(2, r.GetProperty("urls").GetArrayLength()));
        Assert.Equal(4, webapi.GetProperty("urls").EnumerateArray().Select(u => u.GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Resource_api_answers_404_problem_details_for_an_unknown_resource()
    {
        using var client = new HttpClient { BaseAddress = stack.App.ResourceApiUri };
        using var response = await client.GetAsync("/api/resources/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Every_replica_answers_the_same_seeded_checklist()
    {
        var bodies = new List<string>();
        for (var replica = 0; replica < 2; replica++)
        {
            using var client = stack.App.CreateHttpClient("webapi", replica: replica);
            var list = await client.GetStringAsync("/api/checklists");
            var id = JsonDocument.Parse(list).RootElement[0].GetProperty("id").GetString();
            var detail = await client.GetStringAsync($"/api/checklists/{id}");
            bodies.Add(list + detail);

            var sections = JsonDocument.Parse(detail).RootElement.GetProperty("sections");
            Assert.Equal(5, sections.GetArrayLength());
            Assert.All(sections.EnumerateArray(), s => Assert.NotEqual(0, s.GetProperty("items").GetArrayLength()));
        }

        Assert.Equal(bodies[0], bodies[1]);
    }

    [Fact]
    public async Task Unknown_checklist_answers_404_problem_details()
    {
        using var client = stack.App.CreateHttpClient("webapi");
        using var response = await client.GetAsync("/api/checklists/no-such-checklist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Static_host_serves_the_first_page()
    {
        using var client = stack.App.CreateHttpClient("static");
        var page = await client.GetStringAsync("/");

        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_replica_killed_with_SIGKILL_is_restarted_and_healthy_again()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var before = stack.App.ResourceNotifications.Instance("webapi", 1);

        System.Diagnostics.Process.GetProcessById(before.Pid!.Value).Kill();

        var after = await stack.App.ResourceNotifications.WaitForResourceAsync(
            "webapi",
            s => s.Replicas[1].Restarts == before.Restarts + 1 && s.Replicas[1].State == ResourceState.Healthy,
            timeout.Token);
        Assert.NotEqual(before.Pid, after.Replicas[1].Pid);
        using var client = stack.App.CreateHttpClient("webapi", replica: 1);
        using var response = await client.GetAsync("/api/checklists");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
