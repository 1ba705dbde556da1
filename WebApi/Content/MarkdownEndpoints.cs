using Microsoft.AspNetCore.Http.HttpResults;
using WebApi.Accounts;
using WebApi.Http;

namespace WebApi.Content;

/// <summary>Markdown rendered by the server, the only renderer the web UI has: the notes editor's live preview.</summary>
public static class MarkdownEndpoints
{
    public static IEndpointRouteBuilder MapMarkdownEndpoints(this IEndpointRouteBuilder routes)
    {
        var markdown = routes.MapGroup("/api/markdown").WithTags("Markdown");
        // A POST that stores nothing (the text is too long for a query string): reading is enough, as for evidence links.
        markdown.MapPost("/preview", Preview).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Render Markdown as review notes are rendered, without saving it");
        return routes;
    }

    private static Results<Ok<MarkdownPreviewResponse>, ValidationProblem> Preview(MarkdownPreviewRequest request, IContentSanitizer sanitizer) =>
        sanitizer.TryRenderMarkdown(request.Markdown, out var html)
            ? TypedResults.Ok(new MarkdownPreviewResponse(html))
            : ProblemDetailsResponse.Invalid("Markdown", MarkdownProblems.TooDeeplyNested);
}
