using System.Text;
using Microsoft.Net.Http.Headers;

namespace WebApi.Evidence;

/// <summary>The uploader's file name, made harmless as metadata: no directories, no control characters, bounded length.</summary>
public static class FileNames
{
    public const int MaxLength = 255;

    /// <summary>
    /// The file name a multipart part's Content-Disposition gives (filename* before filename, quotes removed, not yet
    /// sanitized), or null when the part is not a file. A header ASP.NET Core's parser accepts but then cannot read counts
    /// as no file: a <c>filename*</c> without a value makes it throw ArgumentNullException (found by bench/fuzz).
    /// </summary>
    public static string? FromContentDisposition(string? contentDisposition)
    {
        if (!ContentDispositionHeaderValue.TryParse(contentDisposition, out var disposition))
        {
            return null;
        }

        try
        {
            return disposition.IsFileDisposition()
                ? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? ""
                : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

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
