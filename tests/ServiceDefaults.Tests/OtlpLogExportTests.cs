using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults.Tests;

public sealed class OtlpLogExportTests
{
    [Fact]
    public async Task Logs_exported_over_otlp_are_masked_as_the_json_lines_are()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using (var app = await TestApp.StartAsync(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }))
        {
            await app.Public.GetStringAsync("/orders/42");
        }

        // Disposing the app flushed its exporters. OTLP strings are plain UTF-8 inside the protobuf message.
        var logs = collector.Received("/v1/logs");
        Assert.Contains("Order 42 placed by ***", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", logs, StringComparison.Ordinal);
    }

    /// <summary>An OTLP/HTTP endpoint on loopback that keeps every request body it is sent, by path.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly List<(string Path, byte[] Body)> requests = [];

        private OtlpCollector(WebApplication app) => this.app = app;

        public string Endpoint => app.Urls.Single();

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
            var collector = new OtlpCollector(builder.Build());
            collector.app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                lock (collector.requests)
                {
                    collector.requests.Add((context.Request.Path.Value ?? "", body.ToArray()));
                }

                context.Response.ContentType = "application/x-protobuf";
            });
            await collector.app.StartAsync();
            return collector;
        }

        public string Received(string path)
        {
            lock (requests)
            {
                return string.Concat(requests.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));
            }
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
