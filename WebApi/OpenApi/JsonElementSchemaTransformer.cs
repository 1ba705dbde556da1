using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WebApi.OpenApi;

/// <summary>
/// A <see cref="JsonElement"/> (the audit trail's <c>before</c> and <c>after</c>) is any JSON value but null. The
/// generator leaves it unconstrained, so a nullable one, "oneOf: null or JsonElement", was matched twice by a null, and
/// a JSON Schema validator refused the very null the API writes for "nothing before".
/// </summary>
internal sealed class JsonElementSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);

        if (context.JsonTypeInfo.Type == typeof(JsonElement))
        {
            schema.Type = JsonSchemaType.Object | JsonSchemaType.Array | JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean;
        }

        return Task.CompletedTask;
    }
}
