namespace ServiceDefaults.Tests;

public sealed class TracingTests
{
    [Fact]
    public async Task Requests_are_traced_but_probes_and_scrapes_are_not()
    {
        await using var app = await TestApp.StartAsync();

        var traceId = await app.Public.GetStringAsync("/orders/3");
        await app.Public.GetStringAsync("/health/ready");
        await app.Public.GetStringAsync("/health/live");
        await app.Management!.GetStringAsync("/metrics");
        await app.Management!.GetStringAsync("/health/details");
        await app.Public.GetStringAsync("/orders/4");

        // A server span ends just after its response reaches the client: wait for the last request's span, by
        // which time every earlier request's span (traced or not) has ended too.
        for (var attempt = 0; attempt < 100 && !OwnPaths(app).Contains("/orders/4"); attempt++)
        {
            await Task.Delay(20);
        }

        lock (app.Spans)
        {
            Assert.Contains(app.Spans, span => span.TraceId.ToHexString() == traceId);
        }

        Assert.Equal(["/orders/3", "/orders/4"], OwnPaths(app));
    }

    /// <summary>
    /// The paths of the server spans of requests to this app's own ports. The span listener is process-wide: another
    /// test's app, running alongside, may serve the same paths, and its spans reach this app's processor too.
    /// </summary>
    private static List<string> OwnPaths(TestApp app)
    {
        int[] ports = [app.PublicPort, app.Management!.BaseAddress!.Port];
        lock (app.Spans)
        {
            return [.. app.Spans
                .Where(span => span.GetTagItem("server.port") is int port && ports.Contains(port))
                .Select(span => span.GetTagItem("url.path") as string)
                .OfType<string>()];
        }
    }
}
