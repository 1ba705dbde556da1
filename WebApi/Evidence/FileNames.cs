using System.Text;

namespace WebApi.Evidence;

/// <summary>The uploader's file name, made harmless as metadata: no directories, no control characters, bounded length.</summary>
public static class FileNames
{
    public const int MaxLength = 255;

    public static string Sanitize(string? name)
    {
        // Only the last segment, whichever separator the client's system uses: "../../etc/passwd" becomes "passwd".
        var last = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var clean = new StringBuilder(last.Length);
        foreach (var c in last.Normalize(NormalizationForm.FormC))
        {
            if (!char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?') && !char.IsSurrogate(c) && !IsBidiControl(c))
            {
                clean.Append(c);
            }
        }

        var result = clean.ToString().Trim().TrimStart('.');
        if (result.Length > MaxLength)
        {
            result = result[..MaxLength];
        }

        return result.Length == 0 ? "evidence" : result;
    }

    // Right-to-left overrides can make "gpj.exe" display as "exe.jpg".
    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F';
}
