using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WebApi.OpenApi;

/// <summary>
/// Problem details as the API writes them: RFC 9457 lets a problem carry extension members, and ours do, so the
/// schema (of <see cref="ProblemDetails"/> and <see cref="HttpValidationProblemDetails"/>) allows them instead of the
/// generator's "no other property" (which follows the API's refusal of unknown fields in requests), and names the
/// <c>traceId</c> every problem from WebApi carries.
/// </summary>
internal sealed class ProblemDetailsSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);

        if (!typeof(ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type))
        {
            return Task.CompletedTask;
        }

        schema.AdditionalPropertiesAllowed = true;
        schema.AdditionalProperties = null;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The W3C trace id of the request, to find it in the logs and traces (absent when the proxy answers itself).",
        };
        return Task.CompletedTask;
    }
}
