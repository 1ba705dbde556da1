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
        for (var attempt = 0; attempt < 100 && !HasSpanFor(app, "/orders/4"); attempt++)
        {
            await Task.Delay(20);
        }

        List<string> paths;
        lock (app.Spans)
        {
            // The span listener is process-wide: keep to the paths this test requested (other tests run alongside).
            string[] requested = ["/orders/3", "/orders/4", "/health/ready", "/health/live", "/metrics", "/health/details"];
            paths = app.Spans.Select(span => span.GetTagItem("url.path") as string).OfType<string>().Where(requested.Contains).ToList();
            Assert.Contains(app.Spans, span => span.TraceId.ToHexString() == traceId);
        }

        Assert.Equal(["/orders/3", "/orders/4"], paths);
    }

    private static bool HasSpanFor(TestApp app, string path)
    {
        lock (app.Spans)
        {
            return app.Spans.Any(span => span.GetTagItem("url.path") as string == path);
        }
    }
}
