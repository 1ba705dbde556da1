using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceDefaults.Logging;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Tests;

public sealed class JsonLogLineFormatterTests
{
    private static readonly JsonLogLineFormatter Formatter = new(new ServiceIdentity("orders", "orders-1"));

    [Fact]
    public void A_value_that_logs_while_its_line_is_formatted_leaves_both_lines_whole()
    {
        var inner = new LoggingValue();
        var outer = Format("Outer {Value} done", ("Value", inner));

        Assert.Equal("Outer inner-logged done", JsonDocument.Parse(outer).RootElement.GetProperty("message").GetString());
        Assert.Equal("Inner 7", JsonDocument.Parse(inner.Line!).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Lines_formatted_one_after_another_on_a_thread_do_not_share_bytes()
    {
        var first = Format("First {N}", ("N", 1));
        var second = Format("Second {N} with a longer message than the first", ("N", 2));

        Assert.Equal("First 1", JsonDocument.Parse(first).RootElement.GetProperty("message").GetString());
        Assert.Equal(2, JsonDocument.Parse(second).RootElement.GetProperty("values").GetProperty("N").GetInt32());
    }

    private static string Format(string template, params (string Key, object? Value)[] values)
    {
        var state = values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)).Append(new("{OriginalFormat}", template)).ToList();
        var entry = new LogEntry<List<KeyValuePair<string, object?>>>(
            LogLevel.Information, "Test", default, state, null, (s, _) => Render(template, s));
        return Encoding.UTF8.GetString(Formatter.FormatLine(entry, scopes: null));
    }

    private static string Render(string template, List<KeyValuePair<string, object?>> values) =>
        values.Aggregate(template, (text, pair) => text.Replace($"{{{pair.Key}}}", Convert.ToString(pair.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>A logged value whose text, like some ToString overrides, logs a line of its own.</summary>
    private sealed class LoggingValue
    {
        public string? Line { get; private set; }

        public override string ToString()
        {
            Line = Format("Inner {N}", ("N", 7));
            return "inner-logged";
        }
    }
}
