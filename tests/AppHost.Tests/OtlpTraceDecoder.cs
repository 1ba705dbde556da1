using System.Text;

namespace AppHost.Tests;

/// <summary>
/// Reads the parts of an OTLP ExportTraceServiceRequest a test needs, straight from the protobuf wire format
/// (no generated classes are served here). Field numbers are those of opentelemetry-proto's trace.proto,
/// resource.proto and common.proto.
/// </summary>
internal static class OtlpTraceDecoder
{
    public static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1).Select(f => f.Bytes))
        {
            string? serviceName = null;
            foreach (var field in Fields(resourceSpans))
            {
                if (field.Number == 1)
                {
                    // Resource.attributes (1)
                    serviceName = Attributes(field.Bytes, 1).GetValueOrDefault("service.name");
                }
                else if (field.Number == 2)
                {
                    // ScopeSpans.spans (2)
                    spans.AddRange(Fields(field.Bytes).Where(f => f.Number == 2).Select(f => Span(f.Bytes, serviceName)));
                }
            }
        }

        return spans;
    }

    private static ReceivedSpan Span(byte[] span, string? serviceName)
    {
        var fields = Fields(span).ToList();
        string? Hex(int number) => fields.FirstOrDefault(f => f.Number == number)?.Bytes is { Length: > 0 } bytes ? Convert.ToHexStringLower(bytes) : null;
        return new ReceivedSpan(
            Hex(1)!,
            Hex(2)!,
            Hex(4),
            Encoding.UTF8.GetString(fields.First(f => f.Number == 5).Bytes),
            (int)(fields.FirstOrDefault(f => f.Number == 6)?.Varint ?? 0),
            serviceName,
            Attributes(span, 9));
    }

    /// <summary>KeyValue messages in field <paramref name="number"/>: key (1), AnyValue (2) with string (1), bool (2) or int (3).</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int number)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message).Where(f => f.Number == number).Select(f => f.Bytes))
        {
            var parts = Fields(keyValue).ToList();
            var key = Encoding.UTF8.GetString(parts.First(p => p.Number == 1).Bytes);
            var value = parts.FirstOrDefault(p => p.Number == 2) is { } any ? Fields(any.Bytes).FirstOrDefault() : null;
            attributes[key] = value switch
            {
                { Number: 1 } => Encoding.UTF8.GetString(value.Bytes),
                { Number: 2 or 3 } => value.Varint.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => string.Empty,
            };
        }

        return attributes;
    }

    private sealed record Field(int Number, byte[] Bytes, ulong Varint);

    private static IEnumerable<Field> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return new Field(number, [], ReadVarint(message, ref position));
                    break;
                case 1:
                    yield return new Field(number, message[position..(position + 8)], 0);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return new Field(number, message[position..(position + length)], 0);
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, message[position..(position + 4)], 0);
                    position += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {tag & 7}");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
