using System.ComponentModel.DataAnnotations;
using WebApi.Data;

namespace WebApi.Content;

/// <summary>A review item's notes as they would be shown, while they are still being written.</summary>
public sealed record MarkdownPreviewRequest([property: Required(AllowEmptyStrings = true), MaxLength(Limits.Notes)] string Markdown);

/// <summary>The Markdown rendered and sanitized exactly as a saved note's <c>notesHtml</c>.</summary>
public sealed record MarkdownPreviewResponse(string Html);

public static class MarkdownProblems
{
    /// <summary>Why Markdown that <see cref="IContentSanitizer.TryRenderMarkdown"/> cannot render is refused.</summary>
    public const string TooDeeplyNested = "The Markdown nests quotes, lists or emphasis deeper than it can be shown; nest them less.";
}
