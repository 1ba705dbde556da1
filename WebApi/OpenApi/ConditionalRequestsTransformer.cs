using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using WebApi.Http;

namespace WebApi.OpenApi;

/// <summary>
/// The API's two request headers for safe retries and concurrent edits: every PUT, PATCH and DELETE, and a POST marked
/// with <see cref="IfMatchMetadata"/>, needs <c>If-Match</c> with the resource's ETag (428 without it, 412 when it is stale; see <see cref="Preconditions"/>),
/// and a POST marked with <see cref="IdempotencyKeyMetadata"/> honours <c>Idempotency-Key</c> (422 when the key was
/// used for another request, 409 while the first is still running).
/// </summary>
internal sealed class ConditionalRequestsTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);

        var method = context.Description.HttpMethod ?? "";
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method) || metadata.OfType<IfMatchMetadata>().Any())
        {
            AddHeader(operation, "If-Match", required: true, "The ETag of the resource as last read, e.g. \"1234\".");
            ProblemResponsesTransformer.AddProblem(operation, context, StatusCodes.Status428PreconditionRequired, "If-Match is missing.");
            ProblemResponsesTransformer.AddProblem(operation, context, StatusCodes.Status412PreconditionFailed, "The resource changed since the ETag in If-Match was read.");
        }

        if (metadata.OfType<IdempotencyKeyMetadata>().Any())
        {
            AddHeader(operation, IdempotencyFilter.HeaderName, required: false,
                "Any unique string (a UUID) per intended request: a retry with the same key and body gets the first answer again and creates nothing.");
            ProblemResponsesTransformer.AddProblem(operation, context, StatusCodes.Status422UnprocessableEntity, "The Idempotency-Key was already used with a different request.");
            ProblemResponsesTransformer.AddProblem(operation, context, StatusCodes.Status409Conflict, "A request with this Idempotency-Key is still running, or a unique value is taken.");
        }

        return Task.CompletedTask;
    }

    private static void AddHeader(OpenApiOperation operation, string name, bool required, string description)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }
}
