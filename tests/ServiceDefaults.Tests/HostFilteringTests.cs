using System.Net;

namespace ServiceDefaults.Tests;

/// <summary>
/// Host filtering as a cluster meets it: the app answers only its public name, but a kubelet's probe and a Prometheus
/// scrape name the pod's address (<c>10.244.0.7:8080</c>), and must be answered all the same.
/// </summary>
public sealed class HostFilteringTests
{
    private const string PodAddress = "10.244.0.7";

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, HttpMethod method, string path, string host)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Probes_and_the_management_port_answer_the_pods_address_and_the_app_only_its_own_name()
    {
        await using var app = await TestApp.StartAsync(new() { ["AllowedHosts"] = "readiness.example.com" });

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app.Public, HttpMethod.Get, "/health/live", $"{PodAddress}:8080"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app.Public, HttpMethod.Get, "/health/ready", $"{PodAddress}:8080"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app.Management!, HttpMethod.Get, "/metrics", $"{PodAddress}:8081"));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app.Public, HttpMethod.Get, "/orders/1", "readiness.example.com"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(app.Public, HttpMethod.Get, "/orders/1", $"{PodAddress}:8080"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(app.Public, HttpMethod.Get, "/orders/1", "evil.example"));
        // Only the probes themselves: not a write to their path, nor a path below them.
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(app.Public, HttpMethod.Post, "/health/live", "evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(app.Public, HttpMethod.Get, "/health/live/x", "evil.example"));
    }
}
