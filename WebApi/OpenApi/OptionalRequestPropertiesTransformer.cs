using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WebApi.OpenApi;

/// <summary>
/// The generator lists every constructor parameter of a request record as required, the nullable ones too, while the
/// API reads a request that leaves them out (System.Text.Json does not require constructor parameters): a PATCH sends
/// only what changes, a scan request names an environment or a URL. In a request body a nullable property is required
/// only where the contract says so: <see cref="RequiredAttribute"/>, <see cref="JsonRequiredAttribute"/> or the
/// <c>required</c> modifier. Responses keep the generator's list: they always carry every property, null or not.
/// </summary>
internal sealed class OptionalRequestPropertiesTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);

        if (context.ParameterDescription is null || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object || schema.Required is not { Count: > 0 } required)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            // IsSetNullable: a Nullable<T>, or a reference type annotated nullable.
            if (required.Contains(property.Name) && property.IsSetNullable && !IsRequiredByContract(property))
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsRequiredByContract(JsonPropertyInfo property) =>
        property.IsRequired || property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
}
