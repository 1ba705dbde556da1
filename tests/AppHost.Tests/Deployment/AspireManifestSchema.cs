using System.Text.Json.Nodes;
using NJsonSchema;

namespace AppHost.Tests.Deployment;

/// <summary>Aspire's manifest schema, loaded for NJsonSchema.</summary>
internal static class AspireManifestSchema
{
    public static async Task<JsonSchema> LoadAsync()
    {
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFiles.SchemaPath))!;
        Translate(schema);
        return await JsonSchema.FromJsonAsync(schema.ToJsonString());
    }

    /// <summary>
    /// Rewrites two draft-07 forms NJsonSchema does not read into their exact equivalents: a boolean schema
    /// (<c>"build": false</c> in container.v0) becomes <c>{}</c> or <c>{"not": {}}</c>, and <c>"const": X</c> (which
    /// tells container.v0 from container.v1) becomes <c>"enum": [X]</c>; ignored, every container would match both.
    /// </summary>
    private static void Translate(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            if (obj["const"] is { } constant)
            {
                obj.Remove("const");
                obj["enum"] = new JsonArray(constant.DeepClone());
            }

            if (obj["properties"] is JsonObject properties)
            {
                foreach (var name in properties.Select(p => p.Key).ToList())
                {
                    if (properties[name] is JsonValue value && value.TryGetValue<bool>(out var allowed))
                    {
                        properties[name] = allowed ? new JsonObject() : new JsonObject { ["not"] = new JsonObject() };
                    }
                }
            }

            foreach (var child in obj.Select(p => p.Value).OfType<JsonNode>().ToList())
            {
                Translate(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.OfType<JsonNode>().ToList())
            {
                Translate(child);
            }
        }
    }
}
