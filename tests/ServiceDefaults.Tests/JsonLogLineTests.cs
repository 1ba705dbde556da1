using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using ServiceDefaults.Logging;

namespace ServiceDefaults.Tests;

public sealed class JsonLogLineTests : IDisposable
{
    private readonly string logDirectory = Directory.CreateTempSubdirectory("servicedefaults-logs-").FullName;

    public void Dispose() => Directory.Delete(logDirectory, recursive: true);

    [Fact]
    public async Task A_request_log_line_carries_every_field_and_the_request_trace_id()
    {
        string traceId;
        await using (var app = await TestApp.StartAsync(new() { ["Logging:File:Path"] = logDirectory }))
        {
            traceId = await app.Public.GetStringAsync("/orders/42");
        }

        var line = ReadLines(Path.Combine(logDirectory, "orders-1.jsonl"))
            .Single(line => line.TryGetProperty("template", out var template) && template.GetString() == TestApp.OrderTemplate);

        Assert.True(DateTimeOffset.TryParse(line.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("Information", line.GetProperty("level").GetString());
        Assert.Equal("ServiceDefaults.Tests.TestApp", line.GetProperty("category").GetString());
        Assert.Equal("Order 42 placed by ***", line.GetProperty("message").GetString());
        Assert.Equal(42, line.GetProperty("values").GetProperty("OrderId").GetInt32());
        Assert.Equal("***", line.GetProperty("values").GetProperty("CustomerPassword").GetString());
        Assert.Equal(traceId, line.GetProperty("traceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", line.GetProperty("spanId").GetString());
        Assert.Equal("orders", line.GetProperty("serviceName").GetString());
        Assert.Equal("orders-1", line.GetProperty("serviceInstanceId").GetString());
        Assert.Equal("/orders/42", line.GetProperty("scope").GetProperty("RequestPath").GetString());
        Assert.DoesNotContain("hunter2", File.ReadAllText(Path.Combine(logDirectory, "orders-1.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_request_but_probes_and_scrapes_has_one_access_log_line_with_its_status_and_trace_id()
    {
        string traceId;
        await using (var app = await TestApp.StartAsync(new() { ["Logging:File:Path"] = logDirectory }))
        {
            traceId = await app.Public.GetStringAsync("/orders/42");
            await app.Public.GetAsync("/orders/not-a-number");
            await app.Public.GetStringAsync("/health/ready");
            await app.Management!.GetStringAsync("/metrics");
        }

        var accessLines = AccessLines().ToList();

        Assert.Equal(["/orders/42", "/orders/not-a-number"], accessLines.Select(line => line.GetProperty("values").GetProperty("Path").GetString()));
        Assert.Equal([200, 404], accessLines.Select(line => line.GetProperty("values").GetProperty("StatusCode").GetInt32()));
        Assert.Equal(traceId, accessLines[0].GetProperty("traceId").GetString());
        Assert.Equal("GET /orders/42 responded 200 in", string.Join(' ', accessLines[0].GetProperty("message").GetString()!.Split(' ')[..5]));
    }

    [Fact]
    public async Task The_access_log_is_turned_off_by_its_category_level_in_configuration()
    {
        await using (var app = await TestApp.StartAsync(new()
        {
            ["Logging:File:Path"] = logDirectory,
            ["Logging:LogLevel:ServiceDefaults.AccessLog"] = "Warning",
        }))
        {
            await app.Public.GetStringAsync("/orders/42");
        }

        Assert.Empty(AccessLines());
        Assert.Single(ReadLines(Path.Combine(logDirectory, "orders-1.jsonl")), line => line.TryGetProperty("template", out var template) && template.GetString() == TestApp.OrderTemplate);
    }

    [Fact]
    public async Task At_warning_the_access_log_keeps_the_failed_requests_only()
    {
        await using (var app = await TestApp.StartAsync(
            new()
            {
                ["Logging:File:Path"] = logDirectory,
                ["Logging:LogLevel:ServiceDefaults.AccessLog"] = "Warning",
            },
            map: routes => routes.MapGet("/fails", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable))))
        {
            await app.Public.GetStringAsync("/orders/42");
            await app.Public.GetAsync("/orders/not-a-number");
            await app.Public.GetAsync("/fails");
        }

        var failed = Assert.Single(AccessLines());
        Assert.Equal("Warning", failed.GetProperty("level").GetString());
        Assert.Equal("/fails", failed.GetProperty("values").GetProperty("Path").GetString());
        Assert.Equal(503, failed.GetProperty("values").GetProperty("StatusCode").GetInt32());
    }

    [Theory]
    [InlineData("Production", typeof(JsonLinesLoggerProvider))]
    [InlineData("Development", typeof(ConsoleLoggerProvider))]
    public async Task The_console_gets_json_lines_outside_development_and_text_in_it(string environment, Type consoleProvider)
    {
        await using var app = await TestApp.StartAsync(environment: environment);

        var providers = app.Services.GetServices<ILoggerProvider>().Select(provider => provider.GetType()).ToList();
        Assert.Contains(consoleProvider, providers);
        Assert.Single(providers, type => type == typeof(JsonLinesLoggerProvider) || type == typeof(ConsoleLoggerProvider));
    }

    [Fact]
    public async Task Without_a_configured_path_no_log_file_is_written()
    {
        await using (var app = await TestApp.StartAsync())
        {
            await app.Public.GetStringAsync("/orders/1");
        }

        Assert.Empty(Directory.GetFiles(AppContext.BaseDirectory, "*.jsonl", SearchOption.AllDirectories));
    }

    private IEnumerable<JsonElement> AccessLines() =>
        ReadLines(Path.Combine(logDirectory, "orders-1.jsonl")).Where(line => line.GetProperty("category").GetString() == "ServiceDefaults.AccessLog");

    internal static IEnumerable<JsonElement> ReadLines(string path) =>
        File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement);
}
