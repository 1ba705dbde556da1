using System.Text.Json;

namespace StaticHost.Tests;

/// <summary>What the running server writes for a request: one access line, not ASP.NET Core's own request chatter.</summary>
public sealed class LoggingTests(StaticHostServer server) : IClassFixture<StaticHostServer>
{
    [Fact]
    public async Task A_request_logs_one_access_line_and_probes_log_nothing()
    {
        using var client = server.CreateClient();
        var path = $"/?logging-test={Guid.NewGuid():N}";
        (await client.GetAsync(path)).EnsureSuccessStatusCode();
        (await client.GetAsync("/health/ready")).EnsureSuccessStatusCode();

        var lines = await WaitForAsync(lines => lines.Any(IsAccessLine));

        // The access line leaves the query out; what else the request logged carries the same request id.
        var access = Assert.Single(lines, IsAccessLine);
        var requestId = access.GetProperty("scope").GetProperty("RequestId").GetString();
        Assert.DoesNotContain(lines, line => !IsAccessLine(line) && line.TryGetProperty("scope", out var scope) && scope.TryGetProperty("RequestId", out var id) && id.GetString() == requestId);
        Assert.DoesNotContain(lines, line => line.GetProperty("message").GetString()!.Contains("/health/ready", StringComparison.Ordinal));
    }

    private static bool IsAccessLine(JsonElement line) =>
        line.GetProperty("category").GetString() == "ServiceDefaults.AccessLog" && line.GetProperty("values").GetProperty("Path").GetString() == "/";

    private async Task<List<JsonElement>> WaitForAsync(Func<List<JsonElement>, bool> done)
    {
        for (var attempt = 0; ; attempt++)
        {
            var lines = server.Output.Split('\n')
                .Where(line => line.StartsWith('{'))
                .Select(line => JsonDocument.Parse(line).RootElement)
                .ToList();
            if (done(lines) || attempt == 50)
            {
                return lines;
            }

            await Task.Delay(100);
        }
    }
}
