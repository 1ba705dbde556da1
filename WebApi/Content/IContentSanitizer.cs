using System.Diagnostics.CodeAnalysis;

namespace WebApi.Content;

/// <summary>
/// Makes user-supplied rich text (review notes, evidence) safe to store and to put into a page: no scripts, event
/// handlers, script URLs, frames or forms survive, while ordinary formatting and http(s) links do.
/// </summary>
public interface IContentSanitizer
{
    /// <summary>The HTML with everything that could run script or change the page removed.</summary>
    string SanitizeHtml(string html);

    /// <summary>
    /// Markdown rendered to HTML, raw HTML in it shown as text, and the result sanitized as by <see cref="SanitizeHtml"/>.
    /// Markdown that <see cref="TryRenderMarkdown"/> cannot render is shown as its text, line by line: a stored note
    /// always renders.
    /// </summary>
    string RenderMarkdown(string markdown);

    /// <summary>
    /// <see cref="RenderMarkdown"/>'s HTML, or false when the Markdown's quotes, lists or emphasis nest deeper than the
    /// renderer goes (a few hundred characters can).
    /// </summary>
    bool TryRenderMarkdown(string markdown, [NotNullWhen(true)] out string? html);
}
