using Microsoft.Net.Http.Headers;
using WebApi.Evidence;

namespace ReadinessAspire.Fuzz;

/// <summary>
/// An upload part's Content-Disposition header, read as the upload endpoint reads it (<see cref="FileNames.FromContentDisposition"/>:
/// filename* before filename, quotes removed, null when the part is no file), then <see cref="FileNames.Sanitize"/>, whose
/// result is stored and later sent back in a download's Content-Disposition. It must not throw, and must keep its promise:
/// not empty, at most <see cref="FileNames.MaxLength"/> characters, no directory, no control, bidi or surrogate character,
/// no leading dot. The download's header (<see cref="EvidenceStorage.ContentDisposition"/>) must be ASCII and give the
/// same name back.
/// </summary>
internal static class FileNameTarget
{
    public static FuzzTarget Target { get; } = new(
        "filename",
        "evidence upload file name: Content-Disposition parsing, FileNames.Sanitize and the download's header; crash = any exception, a name that breaks Sanitize's promise, or a header that does not give it back",
        Run,
        ["WebApi.dll:WebApi.Evidence"]);

    private static void Run(byte[] input)
    {
        // Multipart section headers are read as UTF-8.
        var header = FuzzTargets.Utf8(input);
        Check(FileNames.Sanitize(FileNames.FromContentDisposition(header)));

        // Whatever the header held, the sanitizer takes any string.
        Check(FileNames.Sanitize(header));
    }

    private static void Check(string result)
    {
        FuzzTargets.Require(result.Length is > 0 and <= FileNames.MaxLength, $"a name of {result.Length} characters");
        FuzzTargets.Require(!result.StartsWith('.'), $"a name that starts with a dot: {result}");
        FuzzTargets.Require(!result.Contains('/', StringComparison.Ordinal) && !result.Contains('\\', StringComparison.Ordinal), $"a name with a directory: {result}");
        FuzzTargets.Require(!result.Any(c => char.IsControl(c) || char.IsSurrogate(c) || c is '"' or '<' or '>' or '|' or ':' or '*' or '?'
            || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F'), $"a name with a character Sanitize removes: {result}");

        var download = EvidenceStorage.ContentDisposition(result);
        FuzzTargets.Require(download.All(char.IsAscii), $"a download header that is not ASCII: {download}");
        FuzzTargets.Require(ContentDispositionHeaderValue.TryParse(download, out var parsed) && parsed.FileNameStar.Value == result,
            $"the download header does not give the name back: {download}");
    }
}
