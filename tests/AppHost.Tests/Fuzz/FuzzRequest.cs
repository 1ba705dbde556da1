using System.Text;

namespace AppHost.Tests.Fuzz;

/// <summary>Who sends a request.</summary>
internal enum Caller
{
    /// <summary>The maintainer's read-write personal access token, <c>Authorization: Bearer ra_pat_...</c>.</summary>
    Token,

    /// <summary>The maintainer's browser session: the cookies and the antiforgery header.</summary>
    Session,

    /// <summary>The session cookies without the antiforgery header, as a forged cross-site request carries them.</summary>
    SessionWithoutCsrf,

    /// <summary>Nobody: no cookie, no token.</summary>
    Anonymous,

    /// <summary>A bearer token in the right shape that was never issued.</summary>
    ForgedToken,
}

/// <summary>A request body as sent: its Content-Type (none when null), its bytes, and what kind of input it is.</summary>
internal sealed record FuzzBody(string? ContentType, byte[] Bytes, string Kind)
{
    public static FuzzBody Text(string? contentType, string text, string kind) => new(contentType, Encoding.UTF8.GetBytes(text), kind);
}

/// <summary>One generated request; its text is the minimal reproduction printed when it fails.</summary>
internal sealed record FuzzRequest(
    string Method, string Path, string Query, Caller Caller, IReadOnlyList<KeyValuePair<string, string>> Headers, FuzzBody? Body)
{
    public string Target => Path + Query;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Target).Append("  (as ").Append(Caller).Append(')');
        foreach (var (name, value) in Headers)
        {
            text.Append("\n  ").Append(name).Append(": ").Append(Shorten(value, 200));
        }

        if (Body is { } body)
        {
            text.Append("\n  Content-Type: ").Append(body.ContentType ?? "(none)")
                .Append("  [").Append(body.Kind).Append(", ").Append(body.Bytes.Length).Append(" bytes]")
                .Append("\n  ").Append(Shorten(Encoding.UTF8.GetString(body.Bytes), 600));
        }

        return text.ToString();
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : $"{text[..max]}... ({text.Length} characters)";
}
