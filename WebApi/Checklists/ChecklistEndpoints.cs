using Microsoft.AspNetCore.Http.HttpResults;
using WebApi.Http;

namespace WebApi.Checklists;

public static class ChecklistEndpoints
{
    public static IHostApplicationBuilder AddChecklists(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.Configure<ChecklistCatalogOptions>(builder.Configuration.GetSection("Checklists"));
        builder.Services.AddSingleton<ChecklistCatalog>();
        return builder;
    }

    public static IEndpointRouteBuilder MapChecklistEndpoints(this IEndpointRouteBuilder routes)
    {
        var checklists = routes.MapGroup("/api/checklists").WithTags("Checklists");
        // Produces(304): a matching If-None-Match answers 304, which the handlers' result types cannot declare.
        checklists.MapGet("/", GetChecklistsAsync)
            .WithSummary("List the checklists")
            .Produces(StatusCodes.Status304NotModified);
        checklists.MapGet("/{id}", GetChecklistAsync)
            .WithSummary("Get a checklist with its sections and items")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<Results<Ok<IReadOnlyList<ChecklistSummary>>, StatusCodeHttpResult>> GetChecklistsAsync(
        ChecklistCatalog catalog, HttpContext http, CancellationToken cancellationToken)
    {
        var summaries = await catalog.GetSummariesAsync(cancellationToken);

        http.Response.SetCachingHeaders(summaries.ETag);
        return http.Request.HasMatchingETag(summaries.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(summaries.Content);
    }

    private static async Task<Results<Ok<ChecklistDetail>, StatusCodeHttpResult, ProblemHttpResult>> GetChecklistAsync(
        string id, ChecklistCatalog catalog, HttpContext http, CancellationToken cancellationToken)
    {
        var checklist = await catalog.GetChecklistAsync(id, cancellationToken);
        if (checklist is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Checklist not found",
                detail: "No checklist has the requested id.");
        }

        http.Response.SetCachingHeaders(checklist.ETag);
        return http.Request.HasMatchingETag(checklist.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(checklist.Content);
    }
}
