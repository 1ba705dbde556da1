using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace AppHost.Tests.Fuzz;

/// <summary>
/// Whether a JSON value is what an OpenAPI 3.1 schema (Microsoft.OpenApi's model, references resolved through it)
/// says: type (with null), enum, oneOf/anyOf/allOf, required and unknown properties, lengths, counts, ranges, pattern
/// and the formats the API uses (uuid, date-time, date, uri, int32, int64). Each error names its JSON path.
/// </summary>
internal static partial class SchemaCheck
{
    public static List<string> Errors(JsonElement value, IOpenApiSchema schema)
    {
        var errors = new List<string>();
        Check(value, schema, "$", errors);
        return errors;
    }

    private static void Check(JsonElement value, IOpenApiSchema schema, string path, List<string> errors)
    {
        foreach (var part in schema.AllOf ?? [])
        {
            Check(value, part, path, errors);
        }

        if (schema.OneOf is { Count: > 0 } oneOf)
        {
            var matching = oneOf.Count(alternative => Errors(value, alternative).Count == 0);
            if (matching != 1)
            {
                errors.Add($"{path}: matches {matching} of the {oneOf.Count} oneOf alternatives: {Excerpt(value)}");
            }
        }

        if (schema.AnyOf is { Count: > 0 } anyOf && !anyOf.Any(alternative => Errors(value, alternative).Count == 0))
        {
            errors.Add($"{path}: matches none of the anyOf alternatives: {Excerpt(value)}");
        }

        if (schema.Enum is { Count: > 0 } values)
        {
            var node = JsonNode.Parse(value.GetRawText());
            if (!values.Any(allowed => JsonNode.DeepEquals(allowed, node)))
            {
                errors.Add($"{path}: {Excerpt(value)} is not one of {string.Join(", ", values.Select(v => v?.ToJsonString() ?? "null"))}");
            }
        }

        if (schema.Type is { } type && !IsOfType(value, type))
        {
            errors.Add($"{path}: {value.ValueKind} {Excerpt(value)} is not {type}");
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                CheckString(value.GetString()!, schema, path, errors);
                break;
            case JsonValueKind.Number:
                CheckNumber(value, schema, path, errors);
                break;
            case JsonValueKind.Array:
                CheckArray(value, schema, path, errors);
                break;
            case JsonValueKind.Object:
                CheckObject(value, schema, path, errors);
                break;
        }
    }

    private static bool IsOfType(JsonElement value, JsonSchemaType type) => value.ValueKind switch
    {
        JsonValueKind.Null => type.HasFlag(JsonSchemaType.Null),
        JsonValueKind.True or JsonValueKind.False => type.HasFlag(JsonSchemaType.Boolean),
        JsonValueKind.String => type.HasFlag(JsonSchemaType.String),
        JsonValueKind.Number => type.HasFlag(JsonSchemaType.Number) || (type.HasFlag(JsonSchemaType.Integer) && IsIntegral(value)),
        JsonValueKind.Array => type.HasFlag(JsonSchemaType.Array),
        JsonValueKind.Object => type.HasFlag(JsonSchemaType.Object),
        _ => false,
    };

    private static bool IsIntegral(JsonElement value) =>
        value.TryGetDecimal(out var number) ? decimal.Truncate(number) == number : value.TryGetDouble(out var d) && Math.Truncate(d) == d;

    private static void CheckString(string text, IOpenApiSchema schema, string path, List<string> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.MinLength is { } min && length < min)
        {
            errors.Add($"{path}: {length} characters, fewer than {min}");
        }

        if (schema.MaxLength is { } max && length > max)
        {
            errors.Add($"{path}: {length} characters, more than {max}");
        }

        if (schema.Pattern is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{path}: \"{Shorten(text)}\" does not match {pattern}");
        }

        var valid = schema.Format switch
        {
            "uuid" => Guid.TryParseExact(text, "D", out _),
            "date-time" => DateTime().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "uri" => Uri.TryCreate(text, UriKind.Absolute, out _),
            _ => true,
        };
        if (!valid)
        {
            errors.Add($"{path}: \"{Shorten(text)}\" is not a {schema.Format}");
        }
    }

    private static void CheckNumber(JsonElement value, IOpenApiSchema schema, string path, List<string> errors)
    {
        var fits = schema.Format switch
        {
            "int32" => value.TryGetInt32(out _),
            "int64" => value.TryGetInt64(out _),
            _ => true,
        };
        if (!fits)
        {
            errors.Add($"{path}: {value.GetRawText()} does not fit {schema.Format}");
        }

        var number = value.GetDouble();
        if (Bound(schema.Minimum) is { } minimum && number < minimum)
        {
            errors.Add($"{path}: {value.GetRawText()} is below the minimum {minimum}");
        }

        if (Bound(schema.Maximum) is { } maximum && number > maximum)
        {
            errors.Add($"{path}: {value.GetRawText()} is above the maximum {maximum}");
        }
    }

    private static double? Bound(string? bound) =>
        double.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void CheckArray(JsonElement value, IOpenApiSchema schema, string path, List<string> errors)
    {
        var count = value.GetArrayLength();
        if (schema.MinItems is { } min && count < min)
        {
            errors.Add($"{path}: {count} items, fewer than {min}");
        }

        if (schema.MaxItems is { } max && count > max)
        {
            errors.Add($"{path}: {count} items, more than {max}");
        }

        if (schema.Items is { } items)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[{index++}]", errors);
            }
        }
    }

    private static void CheckObject(JsonElement value, IOpenApiSchema schema, string path, List<string> errors)
    {
        var properties = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var required in schema.Required ?? new HashSet<string>())
        {
            if (!value.TryGetProperty(required, out _))
            {
                errors.Add($"{path}: lacks the required property \"{required}\"");
            }
        }

        foreach (var property in value.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (properties.TryGetValue(property.Name, out var declared))
            {
                Check(property.Value, declared, at, errors);
            }
            else if (schema.AdditionalProperties is { } additional)
            {
                Check(property.Value, additional, at, errors);
            }
            else if (!schema.AdditionalPropertiesAllowed)
            {
                errors.Add($"{at}: the schema allows no property of this name");
            }
        }
    }

    private static string Excerpt(JsonElement value) => Shorten(value.GetRawText());

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "...";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTime();
}
