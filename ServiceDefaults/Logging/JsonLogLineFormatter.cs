using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Logging;

/// <summary>
/// One log entry as one JSON line: time, level, category, event, message template and formatted message, the
/// structured values, trace and span ids of the current activity, service name and instance id, scopes and
/// exception; every value passes through <see cref="LogRedactor"/>. Called on the logging thread, so
/// <see cref="Activity.Current"/> is the activity of the code that logged.
/// </summary>
internal sealed class JsonLogLineFormatter(ServiceIdentity service)
{
    private const string OriginalFormatKey = "{OriginalFormat}";

    // Log files are read by people and log shippers, never embedded in HTML: keep non-ASCII and quotes readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Scope keys the line already carries at top level.</summary>
    private static readonly string[] SkippedScopeKeys = [OriginalFormatKey, "TraceId", "SpanId", "ParentId"];

    // A line is formatted on the thread that logs; each thread reuses its buffer and writer, so the finished line
    // is the only allocation of its own (every request logs one).
    private const int MaxKeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_scratch;

    public byte[] FormatLine<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopes)
    {
        // Taken, not borrowed: a value whose ToString logs formats its own line with a scratch of its own.
        var (buffer, writer) = t_scratch ?? NewScratch();
        t_scratch = null;
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        Write(writer, entry, scopes);
        writer.Flush();
        buffer.Write("\n"u8);
        var line = buffer.WrittenSpan.ToArray();
        // Only a writer that finished its line goes back (one left mid-object by an exception is dropped), and only
        // an ordinary-sized buffer: a thread should not keep a megabyte because one exception was that long.
        t_scratch = buffer.Capacity <= MaxKeptBufferBytes ? (buffer, writer) : null;
        return line;
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewScratch()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        return (buffer, new Utf8JsonWriter(buffer, WriterOptions));
    }

    private void Write<TState>(Utf8JsonWriter writer, in LogEntry<TState> entry, IExternalScopeProvider? scopes)
    {
        var values = entry.State as IReadOnlyList<KeyValuePair<string, object?>> ?? [];

        writer.WriteStartObject();
        writer.WriteString("time", DateTimeOffset.UtcNow);
        writer.WriteString("level", entry.LogLevel.ToString());
        writer.WriteString("category", entry.Category);
        if (entry.EventId.Id != 0 || entry.EventId.Name is not null)
        {
            writer.WriteNumber("eventId", entry.EventId.Id);
            writer.WriteString("eventName", entry.EventId.Name);
        }

        if (Template(values) is { } template)
        {
            writer.WriteString("template", template);
        }

        writer.WriteString("message", LogRedactor.RedactMessage(entry.Formatter(entry.State, entry.Exception), values));
        WriteValues(writer, values);

        if (Activity.Current is { } activity)
        {
            writer.WriteString("traceId", activity.TraceId.ToHexString());
            writer.WriteString("spanId", activity.SpanId.ToHexString());
        }

        writer.WriteString("serviceName", service.Name);
        writer.WriteString("serviceInstanceId", service.InstanceId);
        WriteScopes(writer, scopes);
        if (entry.Exception is { } exception)
        {
            writer.WriteString("exception", LogRedactor.RedactText(exception.ToString()));
        }

        writer.WriteEndObject();
    }

    // Indexed loops: the state is usually a boxed struct, and enumerating it through the interface allocates.
    private static string? Template(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        for (var index = values.Count - 1; index >= 0; index--)
        {
            if (values[index].Key == OriginalFormatKey)
            {
                return values[index].Value as string;
            }
        }

        return null;
    }

    private static void WriteValues(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        writer.WriteStartObject("values");
        for (var index = 0; index < values.Count; index++)
        {
            var (key, value) = values[index];
            if (key != OriginalFormatKey)
            {
                WriteValue(writer, key, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteScopes(Utf8JsonWriter writer, IExternalScopeProvider? scopes)
    {
        if (scopes is null)
        {
            return;
        }

        // A handful of keys per line: a list beats building a hash set for each line.
        var written = new List<string>(SkippedScopeKeys);
        var started = false;
        scopes.ForEachScope((scope, _) =>
        {
            if (scope is not IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                return;
            }

            foreach (var (key, value) in pairs)
            {
                if (!written.Contains(key))
                {
                    written.Add(key);
                    if (!started)
                    {
                        writer.WriteStartObject("scope");
                        started = true;
                    }

                    WriteValue(writer, key, value);
                }
            }
        }, (object?)null);

        if (started)
        {
            writer.WriteEndObject();
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, string key, object? value)
    {
        if (LogRedactor.IsSensitiveKey(key))
        {
            writer.WriteString(key, LogRedactor.Mask);
            return;
        }

        switch (value)
        {
            case null:
                writer.WriteNull(key);
                break;
            case bool flag:
                writer.WriteBoolean(key, flag);
                break;
            case int or long or short or byte or uint or ushort or sbyte:
                writer.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                writer.WriteNumber(key, number);
                break;
            case decimal number:
                writer.WriteNumber(key, number);
                break;
            // NaN and infinities have no JSON number form; they fall through to their text.
            case double number when double.IsFinite(number):
                writer.WriteNumber(key, number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumber(key, number);
                break;
            default:
                writer.WriteString(key, LogRedactor.RedactText(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
                break;
        }
    }
}
