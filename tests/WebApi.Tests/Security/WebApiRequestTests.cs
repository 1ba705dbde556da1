using System.Net;
using System.Text.Json;

namespace WebApi.Tests.Security;

/// <summary>Request-level hardening of the real WebApi, reached directly as if without the proxy.</summary>
public sealed class WebApiRequestTests(RunningWebApi webApi) : IClassFixture<RunningWebApi>
{
    [Fact]
    public async Task A_foreign_host_gets_400_but_from_the_health_probes()
    {
        using var client = webApi.Process.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/checklists");
        request.Headers.Host = "evil.example.net";
        using var probe = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        probe.Headers.Host = "10.244.0.7:8080";

        using var response = await client.SendAsync(request);
        using var probed = await client.SendAsync(probe);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, probed.StatusCode);
    }

    [Fact]
    public async Task An_allowed_host_is_served()
    {
        using var client = webApi.Process.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Host = "readiness.example.com";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_route_answers_404_problem_details()
    {
        using var client = webApi.Process.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_failing_request_answers_problem_details_with_a_trace_id_and_nothing_internal()
    {
        using var client = webApi.Process.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/checklists", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        // PostgreSQL is unreachable: 500, or 503 where the API recognises the outage.
        Assert.InRange((int)response.StatusCode, 500, 503);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("traceId").GetString()));
        Assert.False(problem.RootElement.TryGetProperty("detail", out _));
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_never_reach_the_logs_even_when_connections_fail()
    {
        using var client = webApi.Process.CreateClient();
        using (await client.GetAsync(new Uri("/api/checklists", UriKind.Relative)))
        using (await client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
        }

        var output = webApi.Process.Output;
        Assert.Contains("\"level\":\"Error\"", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(webApi.Settings.DatabasePassword, output, StringComparison.Ordinal);
        Assert.DoesNotContain(webApi.Settings.CachePassword, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_are_nosniff_with_a_strict_content_security_policy()
    {
        using var client = webApi.Process.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/nope", UriKind.Relative));

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }
}
