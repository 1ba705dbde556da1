using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using WebApi.Content;
using WebApi.Data;

namespace ReadinessAspire.Fuzz;

/// <summary>
/// A review item's Markdown notes (any text a maintainer sends, up to the API's limit) through
/// <see cref="ContentSanitizer.RenderMarkdown"/>, and the same text as HTML through <see cref="ContentSanitizer.SanitizeHtml"/>.
/// Neither may throw. What comes out is parsed again as a browser would (mutation XSS shows only then) and must hold
/// no element or attribute that runs script or submits a form, and no URL of a scheme other than http, https and mailto.
/// </summary>
internal static class MarkdownTarget
{
    // Made on first use: instrumented code may run only once SharpFuzz has set up the coverage map.
    private static ContentSanitizer? sanitizer;

    // Elements that run script, load a document or plugin, submit a form, restyle the page or rebase its URLs.
    private static readonly HashSet<string> ForbiddenElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button", "select",
        "textarea", "base", "meta", "link", "style", "svg", "math", "template", "noscript", "portal",
    };

    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "src", "action", "formaction", "xlink:href", "background", "poster", "cite", "longdesc", "lowsrc", "dynsrc", "data", "codebase",
    };

    private static readonly HashSet<string> AllowedSchemes = new(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" };

    public static FuzzTarget Target { get; } = new(
        "markdown",
        "review notes: Markdown -> sanitized HTML (ContentSanitizer); crash = any exception, or script/forms/unsafe URL schemes in the re-parsed output",
        Run,
        ["WebApi.dll:WebApi.Content", "Markdig.dll", "HtmlSanitizer.dll", "AngleSharp.dll", "AngleSharp.Css.dll"]);

    private static void Run(byte[] input)
    {
        var text = FuzzTargets.Utf8(input);

        // The API refuses longer notes (ReviewContracts, [MaxLength(Limits.Notes)]).
        if (text.Length > Limits.Notes)
        {
            text = text[..Limits.Notes];
        }

        sanitizer ??= new ContentSanitizer();
        CheckSafe(sanitizer.RenderMarkdown(text), "RenderMarkdown");
        CheckSafe(sanitizer.SanitizeHtml(text), "SanitizeHtml");
    }

    private static void CheckSafe(string html, string method)
    {
        using var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><head></head><body>" + html + "</body></html>");
        foreach (var element in document.Body?.QuerySelectorAll("*") ?? Enumerable.Empty<IElement>())
        {
            FuzzTargets.Require(!ForbiddenElements.Contains(element.LocalName), $"{method} let a <{element.LocalName}> element through");
            foreach (var attribute in element.Attributes)
            {
                FuzzTargets.Require(!attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase),
                    $"{method} let an event handler attribute through: {attribute.Name}");
                FuzzTargets.Require(attribute.Name is not ("srcdoc" or "formaction"), $"{method} let {attribute.Name} through");
                if (UrlAttributes.Contains(attribute.Name) && Scheme(attribute.Value) is { } scheme)
                {
                    FuzzTargets.Require(AllowedSchemes.Contains(scheme), $"{method} let a {scheme}: URL through in {attribute.Name}");
                }

                if (attribute.Name.Equals("style", StringComparison.OrdinalIgnoreCase))
                {
                    var style = attribute.Value.Replace("\\", "", StringComparison.Ordinal);
                    FuzzTargets.Require(!style.Contains("javascript:", StringComparison.OrdinalIgnoreCase)
                        && !style.Contains("expression(", StringComparison.OrdinalIgnoreCase),
                        $"{method} let script into a style attribute: {attribute.Value}");
                }
            }
        }
    }

    /// <summary>The scheme a browser reads from a URL attribute (WHATWG URL: outer C0 controls and spaces stripped, tabs and newlines removed); null when relative.</summary>
    internal static string? Scheme(string url)
    {
        var trimmed = url.Trim(Enumerable.Range(0, 0x21).Select(c => (char)c).ToArray()).Replace("\t", "", StringComparison.Ordinal)
            .Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(trimmed[0]))
        {
            return null;
        }

        var scheme = trimmed[..colon];
        return scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? scheme.ToLowerInvariant() : null;
    }
}
