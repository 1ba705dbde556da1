using System.Net;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>
/// nginx's access log, which the local run now writes as a container would: one JSON object per request on standard
/// output, kept by DCP as the proxy resource's console log (what the dashboard shows) rather than in a file the
/// AppHost rolls over.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class ProxyAccessLogTests(StackFixture stack)
{
    private static readonly string[] s_fields = ["time", "request_id", "remote_addr", "method", "path", "protocol", "status", "bytes", "request_time", "upstream_addr", "upstream_status", "upstream_time", "cache"];

    [Fact]
    public async Task Every_line_the_proxy_writes_to_its_console_is_a_json_entry_naming_the_request_and_its_status()
    {
        await using var accessLog = ProxyAccessLog.Follow(stack.App);
        using var client = ProxyClient.Create(stack.App);

        // Answers of every kind: from an upstream, from the proxy itself, refused before any route.
        var sent = new List<(string Path, HttpMethod Method, HttpStatusCode Status, Version Version, string RequestId)>();
        foreach (var (path, method, host) in new (string, HttpMethod, string?)[]
        {
            ("/health/live", HttpMethod.Get, null),
            ("/api/checklists/no-such-checklist", HttpMethod.Get, null),
            ("/", HttpMethod.Get, null),
            ("/api/checklists", HttpMethod.Trace, null),
            ("/api/checklists", HttpMethod.Get, "attacker.example"),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            if (host is not null)
            {
                request.Headers.Host = host;
            }

            using var response = await client.SendAsync(request);
            sent.Add((path, method, response.StatusCode, response.Version, response.Headers.GetValues("X-Request-Id").Single()));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.MethodNotAllowed, HttpStatusCode.MisdirectedRequest], sent.Select(s => s.Status));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var entries = await accessLog.WaitForRequestsAsync([.. sent.Select(s => s.RequestId)], timeout.Token);

        Assert.All(sent, s =>
        {
            var entry = entries[s.RequestId];
            Assert.Equal(s.Path, entry.GetProperty("path").GetString());
            Assert.Equal(s.Method.Method, entry.GetProperty("method").GetString());
            Assert.Equal((int)s.Status, entry.GetProperty("status").GetInt32());
            Assert.Equal($"HTTP/{s.Version}", entry.GetProperty("protocol").GetString());
        });
        // Only what reached an upstream names one.
        Assert.False(string.IsNullOrEmpty(entries[sent[0].RequestId].GetProperty("upstream_addr").GetString()));
        Assert.Equal(string.Empty, entries[sent[4].RequestId].GetProperty("upstream_addr").GetString());

        // Everything nginx has written to standard output since it started is such an entry, each with every field.
        Assert.Empty(accessLog.OtherOutput);
        Assert.All(accessLog.Entries, entry => Assert.All(s_fields, field => Assert.True(entry.TryGetProperty(field, out _), $"an entry lacks {field}: {entry.GetRawText()}")));
        Assert.All(accessLog.Entries, entry => Assert.Equal(JsonValueKind.Number, entry.GetProperty("status").ValueKind));
    }
}
