using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using ServiceDefaults.Security;

namespace WebApi.OpenApi;

/// <summary>
/// Error answers as the stack really gives them, on every documented (<c>/api/</c>) operation: 429 and 503 from the
/// proxy (rate limit; concurrency caps or no replica answering) and 503 from WebApi when it sheds load or PostgreSQL is away, 500 for a failure; on writes
/// 400 (antiforgery check on requests with cookies) and 413 (the proxy's body limit); 400 wherever there is a query or
/// a body to read and validate, or a path parameter (the proxy refuses a path it cannot decode); 415 wherever there is
/// a body (one of another media type); and 404 wherever the path names something by id (nothing has that id, it
/// belongs to another team, or the id is not of the route's form).
/// Statuses an endpoint declares itself (<c>ProducesProblem</c>) stay as declared. Any error response still without a
/// body is given the problem-details body that <c>UseStatusCodePages</c> writes for it.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    private const string ProblemContentType = "application/problem+json";
    private const string SchemaId = "ProblemDetails";
    private const string RetryAfter = "Retry-After";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);

        await EnsureSchemaAsync(context, cancellationToken);

        var method = context.Description.HttpMethod;
        var parameters = operation.Parameters ?? [];
        var badRequest = new List<string>();
        if (ChangesState(method)
            && context.Description.ActionDescriptor.EndpointMetadata.OfType<IAntiforgeryMetadata>().LastOrDefault() is not { RequiresValidation: false })
        {
            badRequest.Add($"A request with cookies lacks a valid antiforgery token in `{HardenedCookies.AntiforgeryHeaderName}`.");
        }

        if (operation.RequestBody is not null || parameters.Any(p => p.In == ParameterLocation.Query))
        {
            badRequest.Add("The query or the body cannot be read or is invalid; `errors` names each invalid field.");
        }

        if (parameters.Any(p => p.In == ParameterLocation.Path))
        {
            badRequest.Add("The proxy cannot read the path (a parameter holding an encoded NUL, `%00`, say).");
        }

        if (badRequest.Count > 0)
        {
            AddProblem(operation, context, StatusCodes.Status400BadRequest, string.Join(" Or: ", badRequest));
        }

        if (ChangesState(method) && !HttpMethods.IsDelete(method ?? string.Empty))
        {
            AddProblem(operation, context, StatusCodes.Status413PayloadTooLarge, "The body is larger than the proxy accepts.");
        }

        if (operation.RequestBody is not null)
        {
            AddProblem(operation, context, StatusCodes.Status415UnsupportedMediaType, "The body is not of a media type this operation takes.");
        }

        if (parameters.Any(p => p.In == ParameterLocation.Path))
        {
            AddProblem(operation, context, StatusCodes.Status404NotFound,
                "Nothing has this id, or it belongs to a team you are not a member of (both answer alike), or the id is not of the route's form.");
        }

        AddProblem(operation, context, StatusCodes.Status429TooManyRequests, "Too many requests from this address (the proxy's rate limit); retry after `Retry-After` seconds.",
            Example(StatusCodes.Status429TooManyRequests, "https://www.rfc-editor.org/rfc/rfc6585#section-4", "Slow down and retry after the number of seconds in Retry-After."),
            retryAfter: true);
        AddProblem(operation, context, StatusCodes.Status500InternalServerError, "The server failed; the body names only the trace id to look for in the logs.",
            Example(StatusCodes.Status500InternalServerError, "https://tools.ietf.org/html/rfc9110#section-15.6.1", detail: null, traceId: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
        AddProblem(operation, context, StatusCodes.Status503ServiceUnavailable, "The service is at capacity (the proxy's or a replica's concurrency limit), or the database or every replica is unavailable; retry after `Retry-After` seconds.",
            Example(StatusCodes.Status503ServiceUnavailable, "https://tools.ietf.org/html/rfc9110#section-15.6.4", "The database is unreachable right now; retry shortly."),
            retryAfter: true);

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (IsError(status) && response is OpenApiResponse { Content: null or { Count: 0 } } bodiless)
            {
                bodiless.Content = ProblemContent(context, example: null);
            }
        }
    }

    public static bool ChangesState(string? method) =>
        method is not null
        && (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method));

    /// <summary>Adds a problem-details response for <paramref name="status"/> unless the operation declares that status already.</summary>
    public static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description, JsonNode? example = null, bool retryAfter = false)
    {
        ArgumentNullException.ThrowIfNull(operation);

        operation.Responses ??= [];
        operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
        {
            Description = description,
            Content = ProblemContent(context, example),
            Headers = retryAfter
                ? new Dictionary<string, IOpenApiHeader>
                {
                    [RetryAfter] = new OpenApiHeader
                    {
                        Description = "Seconds to wait before retrying.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                    },
                }
                : null,
        });
    }

    private static Dictionary<string, OpenApiMediaType> ProblemContent(OpenApiOperationTransformerContext context, JsonNode? example) => new()
    {
        [ProblemContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(SchemaId, context.Document), Example = example },
    };

    private static async Task EnsureSchemaAsync(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Document?.Components?.Schemas?.ContainsKey(SchemaId) == true)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken);
        context.Document?.AddComponent(SchemaId, schema);
    }

    private static bool IsError(string status) =>
        status.Length == 3 && status[0] is '4' or '5';

    private static JsonObject Example(int status, string type, string? detail, string? traceId = null)
    {
        var problem = new JsonObject
        {
            ["type"] = type,
            ["title"] = ReasonPhrases.GetReasonPhrase(status),
            ["status"] = status,
        };
        if (detail is not null)
        {
            problem["detail"] = detail;
        }

        if (traceId is not null)
        {
            problem["traceId"] = traceId;
        }

        return problem;
    }
}
