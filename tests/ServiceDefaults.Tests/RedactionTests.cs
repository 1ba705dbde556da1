using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceDefaults.Logging;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Tests;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("Host=db;Username=app;Password=s3cret;Database=readiness", "Host=db;Username=app;Password=***;Database=readiness")]
    [InlineData("failed: password=s3cret, retrying", "failed: password=***, retrying")]
    [InlineData("127.0.0.1:6379,password=s3cret,abortConnect=false", "127.0.0.1:6379,password=***,abortConnect=false")]
    [InlineData("Pwd = 's3cret'; Server=x", "Pwd = ***; Server=x")]
    [InlineData("ClientSecret: s3cret", "ClientSecret: ***")]
    [InlineData("redis://default:s3cret@127.0.0.1:6379/0", "redis://default:***@127.0.0.1:6379/0")]
    [InlineData("GET /orders/42 answered 200", "GET /orders/42 answered 200")]
    public void Secrets_in_text_are_masked(string text, string expected) =>
        Assert.Equal(expected, LogRedactor.RedactText(text));

    [Theory]
    [InlineData("Password", true)]
    [InlineData("DbPassword", true)]
    [InlineData("ConnectionString", true)]
    [InlineData("client_secret", true)]
    [InlineData("ApiKey", true)]
    [InlineData("OrderId", false)]
    [InlineData("RequestPath", false)]
    public void Sensitive_value_names_are_recognised(string key, bool sensitive) =>
        Assert.Equal(sensitive, LogRedactor.IsSensitiveKey(key));

    [Fact]
    public void A_log_line_masks_sensitive_values_in_values_message_and_exception()
    {
        var formatter = new JsonLogLineFormatter(new ServiceIdentity("orders", "orders-1"));
        var state = new LoggerMessageState(
            "Connecting with {ConnectionString} as {User}",
            ("ConnectionString", "Host=db;Password=s3cret"), ("User", "app"));
        var entry = new LogEntry<LoggerMessageState>(
            LogLevel.Warning, "Data", new EventId(7, "Connecting"), state,
            new InvalidOperationException("Login failed for Host=db;Password=s3cret"), (s, _) => s.ToString());

        var text = Encoding.UTF8.GetString(formatter.FormatLine(entry, scopes: null));
        var line = JsonDocument.Parse(text).RootElement;

        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
        Assert.Equal("***", line.GetProperty("values").GetProperty("ConnectionString").GetString());
        Assert.Equal("app", line.GetProperty("values").GetProperty("User").GetString());
        Assert.Equal("Connecting with *** as app", line.GetProperty("message").GetString());
        Assert.Contains("Password=***", line.GetProperty("exception").GetString(), StringComparison.Ordinal);
        Assert.Equal(7, line.GetProperty("eventId").GetInt32());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    /// <summary>The state shape LoggerMessage and the LogX extensions pass: the values, then the template.</summary>
    private sealed class LoggerMessageState(string template, params (string Key, object? Value)[] values)
        : List<KeyValuePair<string, object?>>(values.Select(value => new KeyValuePair<string, object?>(value.Key, value.Value)).Append(new("{OriginalFormat}", template)))
    {
        public override string ToString() =>
            values.Aggregate(template, (message, value) => message.Replace("{" + value.Key + "}", value.Value?.ToString(), StringComparison.Ordinal));
    }
}
