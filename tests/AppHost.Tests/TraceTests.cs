using System.Text.Json;

namespace AppHost.Tests;

/// <summary>One request through the proxy, followed in the real spans the API exports over OTLP and in its JSON logs.</summary>
[Collection(UncachedStackTestGroup.Name)]
public sealed class TraceTests(UncachedStackFixture stack)
{
    private const string RequestPath = "/api/checklists/production-readiness";

    [Fact]
    public async Task A_request_through_the_proxy_has_webapi_and_postgres_spans_in_one_trace_and_its_log_line_has_that_trace_id()
    {
        using var client = ProxyClient.Create(stack.App);
        using var request = new HttpRequestMessage(HttpMethod.Get, RequestPath);
        request.Headers.Add("Cookie", "trace=1"); // Past the proxy's cache, to the API.
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var (server, trace) = await WaitForTraceAsync(timeout.Token);

        Assert.Equal("webapi", server.ServiceName);
        var database = trace.Where(IsDatabaseSpan).ToList();
        Assert.NotEmpty(database);
        Assert.All(database, span => Assert.True(DescendsFrom(span, server, trace), $"database span {span.Name} is not inside the request's span"));

        // Log lines are written in the background, a few milliseconds after the request: wait for them as for the spans.
        var logLines = await WaitForLogLinesAsync(server.TraceId, timeout.Token);
        Assert.NotEmpty(logLines);
        Assert.All(logLines, line => Assert.Equal(server.TraceId, JsonDocument.Parse(line).RootElement.GetProperty("traceId").GetString()));
    }

    /// <summary>The API's server span for the request, and every span of its trace, once its database spans have arrived.</summary>
    private async Task<(ReceivedSpan Server, List<ReceivedSpan> Trace)> WaitForTraceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var spans = stack.Telemetry.Spans;
            foreach (var server in spans.Where(s => s.Kind == ReceivedSpan.ServerKind && s.Attributes.GetValueOrDefault("url.path") == RequestPath))
            {
                var trace = spans.Where(s => s.TraceId == server.TraceId).ToList();
                if (trace.Any(IsDatabaseSpan))
                {
                    return (server, trace);
                }
            }

            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"No server span for {RequestPath} with database spans in its trace arrived; {spans.Count} spans did: {string.Join(", ", spans.Select(s => $"{s.ServiceName}/{s.Name}").Distinct())}");
            }
        }
    }

    /// <summary>The API's JSON log lines with the trace id, from the rolling files every replica writes under the data directory.</summary>
    private async Task<List<string>> WaitForLogLinesAsync(string traceId, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(stack.DataDirectory, "logs", "webapi");
        while (true)
        {
            var lines = (Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories) : [])
                .SelectMany(ReadShared)
                .Where(line => line.Contains(traceId, StringComparison.Ordinal))
                .ToList();
            if (lines.Count > 0 || cancellationToken.IsCancellationRequested)
            {
                return lines;
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static bool IsDatabaseSpan(ReceivedSpan span) =>
        span.Attributes.GetValueOrDefault("db.system") == "postgresql" || span.Attributes.GetValueOrDefault("db.system.name") == "postgresql";

    private static bool DescendsFrom(ReceivedSpan span, ReceivedSpan ancestor, List<ReceivedSpan> trace)
    {
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var parent = span.ParentSpanId; parent is not null; parent = byId.GetValueOrDefault(parent)?.ParentSpanId)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    private static List<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
