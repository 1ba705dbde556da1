using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace ServiceDefaults.Tests;

public sealed class ManagementPortTests
{
    [Fact]
    public async Task Metrics_answer_on_the_management_port_only()
    {
        await using var app = await TestApp.StartAsync();

        using var onManagement = await app.Management!.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var onPublic = await app.Public.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, onManagement.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
    }

    [Fact]
    public async Task A_public_request_claiming_the_management_host_is_still_refused()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Host = app.Management!.BaseAddress!.Authority;

        using var response = await app.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_management_port_metrics_and_details_are_not_served()
    {
        await using var app = await TestApp.StartAsync(withManagementPort: false);

        using var metrics = await app.Public.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var details = await app.Public.GetAsync(new Uri("/health/details", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, details.StatusCode);
    }

    [Fact]
    public async Task The_request_duration_histogram_is_labelled_by_route_and_process_metrics_are_exposed()
    {
        // A route no other test requests: every host's meter provider in this process listens to every host's
        // Microsoft.AspNetCore.Hosting meter, so a shared route would also count the requests of tests running alongside.
        await using var app = await TestApp.StartAsync(map: web => web.MapGet("/invoices/{number:int}", (int number) => number));
        await app.Public.GetStringAsync("/invoices/7");

        // The duration is recorded as the request ends, which may be just after the client has the response.
        var metrics = "";
        for (var attempt = 0; attempt < 20 && !metrics.Contains("http_route=\"/invoices/{number:int}\"", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
            metrics = await app.Management!.GetStringAsync("/metrics");
        }

        Assert.Matches("""http_server_request_duration_seconds_bucket\{[^}]*http_route="/invoices/\{number:int\}"[^}]*\} 1""", metrics);
        Assert.Contains("dotnet_process_cpu_time_seconds_total", metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_process_memory_working_set_bytes", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_details_answer_on_the_management_port_only()
    {
        await using var app = await TestApp.StartAsync();

        using var onPublic = await app.Public.GetAsync(new Uri("/health/details", UriKind.Relative));
        var details = JsonDocument.Parse(await app.Management!.GetStringAsync("/health/details")).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        Assert.Equal("Healthy", details.GetProperty("status").GetString());
        Assert.Equal("Healthy", details.GetProperty("checks").GetProperty("self").GetProperty("status").GetString());
    }
}
