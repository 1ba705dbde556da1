using System.Diagnostics.CodeAnalysis;
using System.Net;
using AngleSharp.Dom;
using Ganss.Xss;
using Markdig;

namespace WebApi.Content;

public sealed class ContentSanitizer : IContentSanitizer
{
    // Both are configured once here and only read afterwards, which is what makes sharing them across requests safe.
    private readonly HtmlSanitizer _sanitizer = new();

    private readonly MarkdownPipeline _markdown = new MarkdownPipelineBuilder()
        // Raw HTML in markdown becomes text; links such as [x](javascript:...) are left to the sanitizer.
        .DisableHtml()
        .Build();

    public ContentSanitizer()
    {
        // Absolute links only over these schemes (the default lacks mailto); relative links stay allowed for in-app pages.
        _sanitizer.AllowedSchemes.Clear();
        _sanitizer.AllowedSchemes.UnionWith(["http", "https", "mailto"]);
        // Notes never need forms, and a form in one could pose as the site's own sign-in.
        _sanitizer.AllowedTags.ExceptWith(["form", "input", "button", "select", "option", "optgroup", "textarea", "label", "fieldset", "legend"]);
        // An image becomes a link to it: the web UI's CSP (img-src 'self') would block it anyway, and one fetched from
        // elsewhere would tell its host who read the note, and when.
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { LocalName: "img" } image)
            {
                var source = image.GetAttribute("src");
                var text = image.GetAttribute("alt") is { Length: > 0 } alt ? alt : source ?? "";
                if (source is null)
                {
                    e.ReplacementNodes.Add(e.Document.CreateTextNode(text));
                    return;
                }

                var link = e.Document.CreateElement("a");
                link.SetAttribute("href", source);
                link.TextContent = text;
                e.ReplacementNodes.Add(link);
            }
        };
    }

    public string SanitizeHtml(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return _sanitizer.Sanitize(html);
    }

    public string RenderMarkdown(string markdown) =>
        TryRenderMarkdown(markdown, out var html)
            ? html
            // Nested deeper than Markdig goes: a note stored before that was refused must not fail every read of its review.
            : SanitizeHtml($"<p>{string.Join("<br>\n", markdown.ReplaceLineEndings("\n").Split('\n').Select(WebUtility.HtmlEncode))}</p>");

    public bool TryRenderMarkdown(string markdown, [NotNullWhen(true)] out string? html)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        try
        {
            html = SanitizeHtml(Markdown.ToHtml(markdown, _markdown));
            return true;
        }
        catch (ArgumentException)
        {
            html = null;
            return false;
        }
    }
}
