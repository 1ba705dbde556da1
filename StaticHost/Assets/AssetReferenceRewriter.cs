using System.Text.RegularExpressions;

namespace StaticHost.Assets;

/// <summary>The kinds of text asset whose references to other assets are rewritten.</summary>
internal enum ReferenceSyntax
{
    None,
    Html,
    Css,
    JavaScript,
}

/// <summary>
/// Finds references to other local files in HTML (<c>src</c>/<c>href</c>), CSS (<c>url()</c>, <c>@import</c>)
/// and ES modules (<c>import</c>/<c>export ... from</c>, dynamic <c>import()</c>) and lets a resolver replace them.
/// </summary>
/// <remarks>
/// This is deliberately pattern-based, not a parser: a match is only rewritten when the resolver recognises it as
/// a file of the web root, so text that merely looks like a reference is left alone.
/// </remarks>
internal static partial class AssetReferenceRewriter
{
    public static ReferenceSyntax SyntaxFor(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".HTML" or ".HTM" => ReferenceSyntax.Html,
        ".CSS" => ReferenceSyntax.Css,
        ".JS" or ".MJS" => ReferenceSyntax.JavaScript,
        _ => ReferenceSyntax.None,
    };

    /// <summary>
    /// Rewrites each local reference in <paramref name="text"/> for which <paramref name="resolve"/> returns a
    /// replacement. The resolver receives the path part only; any query or fragment is kept as written.
    /// </summary>
    public static string Rewrite(string text, ReferenceSyntax syntax, Func<string, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(resolve);

        return syntax switch
        {
            ReferenceSyntax.Html => Replace(HtmlAttribute(), text, resolve),
            ReferenceSyntax.Css => Replace(CssImport(), Replace(CssUrl(), text, resolve), resolve),
            // Module specifiers must be explicit: "./x.js", "../x.js" or "/x.js". Bare names are packages.
            ReferenceSyntax.JavaScript => Replace(JsModuleSpecifier(), text, reference =>
                reference.StartsWith("./", StringComparison.Ordinal)
                || reference.StartsWith("../", StringComparison.Ordinal)
                || reference.StartsWith('/')
                    ? resolve(reference)
                    : null),
            _ => text,
        };
    }

    private static string Replace(Regex pattern, string text, Func<string, string?> resolve) =>
        pattern.Replace(text, match =>
        {
            var url = match.Groups["url"];
            if (!IsLocal(url.Value))
            {
                return match.Value;
            }

            var suffixStart = url.Value.AsSpan().IndexOfAny('?', '#');
            var path = suffixStart < 0 ? url.Value : url.Value[..suffixStart];
            var suffix = suffixStart < 0 ? string.Empty : url.Value[suffixStart..];
            var replacement = path.Length == 0 ? null : resolve(path);
            if (replacement is null)
            {
                return match.Value;
            }

            var relativeStart = url.Index - match.Index;
            return string.Concat(
                match.Value.AsSpan(0, relativeStart),
                replacement,
                suffix,
                match.Value.AsSpan(relativeStart + url.Length));
        });

    /// <summary>False for absolute URLs (<c>https:</c>, <c>data:</c>, <c>//host</c>) and same-document links.</summary>
    private static bool IsLocal(string url)
    {
        if (url.Length == 0 || url[0] is '#' or '?' || url.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        var colon = url.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 || url.AsSpan(0, colon).Contains('/');
    }

    [GeneratedRegex("""\b(?:src|href)\s*=\s*(?<quote>["'])(?<url>[^"'<>]*)\k<quote>""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlAttribute();

    [GeneratedRegex("""\burl\(\s*(?<quote>["']?)(?<url>[^"'()\s]+)\k<quote>\s*\)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CssUrl();

    [GeneratedRegex("""@import\s+(?<quote>["'])(?<url>[^"'\r\n]+)\k<quote>""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CssImport();

    [GeneratedRegex("""(?:\bfrom|\bimport)\s*\(?\s*(?<quote>["'])(?<url>[^"'\r\n]+)\k<quote>""", RegexOptions.CultureInvariant)]
    private static partial Regex JsModuleSpecifier();
}
