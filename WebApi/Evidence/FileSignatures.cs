using System.Text;

namespace WebApi.Evidence;

/// <summary>
/// Decides what a file is from its first bytes, never from its name or the client's Content-Type. Allowed: PNG, JPEG,
/// PDF, and UTF-8 text, told apart as JSON, YAML or plain text. Anything else (an executable, an archive, HTML or SVG
/// that a browser might run) is refused.
/// </summary>
public static class FileSignatures
{
    /// <summary>How many leading bytes <see cref="Detect"/> looks at.</summary>
    public const int SniffLength = 512;

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Pdf = "%PDF-"u8.ToArray();
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static readonly IReadOnlyList<string> Allowed = ["image/png", "image/jpeg", "application/pdf", "application/json", "application/yaml", "text/plain"];

    /// <param name="head">The file's first bytes (up to <see cref="SniffLength"/>; fewer only if the file is shorter).</param>
    /// <param name="complete">Whether <paramref name="head"/> is the whole file.</param>
    /// <returns>The media type, or null when the file is not of an allowed type.</returns>
    public static string? Detect(ReadOnlySpan<byte> head, bool complete)
    {
        if (head.StartsWith(Png))
        {
            return "image/png";
        }

        if (head.StartsWith(Jpeg))
        {
            return "image/jpeg";
        }

        if (head.StartsWith(Pdf))
        {
            return "application/pdf";
        }

        return IsText(head, complete) ? ClassifyText(head) : null;
    }

    /// <summary>True when no NUL or other control byte (except tab, newlines and form feed) occurs: the check applied to the rest of a text file.</summary>
    public static bool IsTextBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsText(ReadOnlySpan<byte> head, bool complete)
    {
        if (head.IsEmpty || !IsTextBytes(head))
        {
            return false;
        }

        // The sniffed prefix may end inside a multi-byte character; only a whole file must end cleanly.
        var body = complete ? head : TrimIncompleteCharacter(head);
        try
        {
            _ = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetCharCount(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string? ClassifyText(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head.StartsWith(Utf8Bom) ? head[Utf8Bom.Length..] : head).TrimStart();
        if (text.StartsWith('<'))
        {
            // HTML, SVG or XML: markup a browser may render and run, which no evidence needs.
            return null;
        }

        if (text.StartsWith('{') || text.StartsWith('['))
        {
            return "application/json";
        }

        var firstLine = text.Split('\n', 2)[0].TrimEnd('\r');
        return firstLine == "---" || firstLine.StartsWith("%YAML", StringComparison.Ordinal) ? "application/yaml" : "text/plain";
    }

    private static ReadOnlySpan<byte> TrimIncompleteCharacter(ReadOnlySpan<byte> bytes)
    {
        // Step back over at most three continuation bytes to the lead byte, and drop the character if it is cut short.
        for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0b1100_0000) != 0b1000_0000)
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return needed > back ? bytes[..^back] : bytes;
            }
        }

        return bytes;
    }
}
