using OpenTelemetry;
using OpenTelemetry.Logs;
using ServiceDefaults.Logging;

namespace ServiceDefaults.Telemetry;

/// <summary>
/// Masks secrets in log records before any exporter sees them, as the JSON lines do: values under sensitive names,
/// <c>key=value</c> secrets and URL passwords in messages, attribute text and exceptions. Registered before the
/// exporters, so it runs first. Scope values are exported as they are.
/// </summary>
internal sealed class RedactingLogProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        var attributes = data.Attributes ?? [];
        if (data.FormattedMessage is { } message)
        {
            data.FormattedMessage = LogRedactor.RedactMessage(message, attributes);
        }

        if (RedactedAttributes(attributes) is { } redacted)
        {
            data.Attributes = redacted;
        }

        if (data.Exception is { } exception)
        {
            // The regexes hand back the same string when nothing matched.
            var original = exception.ToString();
            if (LogRedactor.RedactText(original) is var text && !ReferenceEquals(text, original))
            {
                data.Exception = new RedactedException(exception, text);
            }
        }
    }

    /// <summary>A masked copy, or null when nothing needed masking (the common case, which allocates nothing).</summary>
    private static List<KeyValuePair<string, object?>>? RedactedAttributes(IReadOnlyList<KeyValuePair<string, object?>> attributes)
    {
        List<KeyValuePair<string, object?>>? copy = null;
        for (var index = 0; index < attributes.Count; index++)
        {
            var (key, value) = attributes[index];
            var masked = LogRedactor.IsSensitiveKey(key) && value is not null ? LogRedactor.Mask
                : value is string text ? LogRedactor.RedactText(text)
                : value;
            if (!ReferenceEquals(masked, value) && copy is null)
            {
                copy = [.. attributes.Take(index)];
            }

            copy?.Add(new(key, masked));
        }

        return copy;
    }

    /// <summary>Stands in for an exception whose text held a secret; its type name stays in the text.</summary>
    private sealed class RedactedException(Exception original, string redactedText)
        : Exception(LogRedactor.RedactText(original.Message))
    {
        public override string? StackTrace => null;

        public override string ToString() => redactedText;
    }
}
