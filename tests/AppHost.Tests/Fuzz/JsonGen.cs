using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.OpenApi;

namespace AppHost.Tests.Fuzz;

/// <summary>
/// JSON values from a request body's schema: <see cref="Valid"/> ones (with real ids and safe URLs for the
/// properties that name them, so they get past validation into the handlers) and <see cref="Invalid"/> ones that break
/// the schema in one place each: a wrong type, a missing required or an unknown property, null, an overlong or hostile
/// string, a number out of range or overflowing, a value outside the enum, too many items.
/// </summary>
internal sealed class JsonGen(FuzzWorld world)
{
    private const int MaxDepth = 4;

    public Gen<JsonNode?> Valid(IOpenApiSchema schema, string? name = null, int depth = 0)
    {
        if (name is not null && Hint(name) is { } hint)
        {
            return hint;
        }

        if (schema.OneOf is { Count: > 0 } || schema.AnyOf is { Count: > 0 })
        {
            var alternatives = (schema.OneOf is { Count: > 0 } ? schema.OneOf : schema.AnyOf!).Where(a => a.Type != JsonSchemaType.Null).ToList();
            return alternatives.Count == 0 ? Gen.Const((JsonNode?)null) : Gen.OneOf([.. alternatives.Select(a => Valid(a, null, depth))]);
        }

        if (schema.Enum is { Count: > 0 } values)
        {
            return Gen.Int[0, values.Count - 1].Select(i => values[i]?.DeepClone());
        }

        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.Object) || schema.Properties is { Count: > 0 })
        {
            return depth >= MaxDepth ? Gen.Const<JsonNode?>(() => new JsonObject()) : Object(schema, depth);
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            var min = schema.MinItems ?? 0;
            var max = Math.Max(min, Math.Min(schema.MaxItems ?? 3, 3));
            var items = schema.Items is { } itemSchema && depth < MaxDepth ? Valid(itemSchema, null, depth + 1) : Gen.Const((JsonNode?)null);
            return items.Array[min, max].Select(nodes => (JsonNode?)new JsonArray([.. nodes]));
        }

        if (type.HasFlag(JsonSchemaType.String) && !type.HasFlag(JsonSchemaType.Integer) && !type.HasFlag(JsonSchemaType.Number))
        {
            return String(schema);
        }

        if (type.HasFlag(JsonSchemaType.Integer))
        {
            var min = (int)Math.Max(Bound(schema.Minimum) ?? 0, int.MinValue);
            var max = (int)Math.Min(Bound(schema.Maximum) ?? 100, int.MaxValue);
            return Gen.Int[min, Math.Max(min, max)].Select(i => (JsonNode?)JsonValue.Create(i));
        }

        if (type.HasFlag(JsonSchemaType.Number))
        {
            return Gen.Double[0, 100].Select(d => (JsonNode?)JsonValue.Create(d));
        }

        if (type.HasFlag(JsonSchemaType.Boolean))
        {
            return Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b));
        }

        return Gen.Const((JsonNode?)null);
    }

    /// <summary>A value that breaks <paramref name="schema"/> in one place, and what was broken.</summary>
    public Gen<(JsonNode? Node, string What)> Invalid(IOpenApiSchema schema, string path = "$", int depth = 0)
    {
        var broken = new List<(int, IGen<(JsonNode?, string)>)>
        {
            (1, Pick(WrongTypes(schema)).Select(n => (n, $"{path}: wrong type {n?.ToJsonString() ?? "null"}"))),
        };
        if (!Allows(schema, JsonSchemaType.Null))
        {
            broken.Add((1, Gen.Const(((JsonNode?)null, $"{path}: null"))));
        }

        if (schema.OneOf is { Count: > 0 } oneOf && oneOf.FirstOrDefault(a => a.Type != JsonSchemaType.Null) is { } inner)
        {
            broken.Add((4, Invalid(inner, path, depth)));
        }

        if (schema.Enum is { Count: > 0 })
        {
            broken.Add((4, Pick([JsonValue.Create("NotAValue"), JsonValue.Create(""), JsonValue.Create(0), JsonValue.Create(1),
                    JsonValue.Create(schema.Enum[0]?.ToString().ToLowerInvariant()), JsonValue.Create(" " + schema.Enum[0])])
                .Select(n => (n, $"{path}: outside the enum {n?.ToJsonString()}"))));
        }

        var type = schema.Type ?? 0;
        if ((type.HasFlag(JsonSchemaType.Object) || schema.Properties is { Count: > 0 }) && depth < MaxDepth)
        {
            broken.Add((8, BrokenObject(schema, path, depth)));
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            broken.Add((4, BrokenArray(schema, path, depth)));
        }

        if (type.HasFlag(JsonSchemaType.String))
        {
            broken.Add((4, BrokenString(schema).Select(n => (n, $"{path}: {Describe(n)}"))));
        }

        if (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number))
        {
            broken.Add((4, Pick(BrokenNumbers(schema)).Select(n => (n, $"{path}: number {n?.ToJsonString()}"))));
        }

        return Gen.Frequency([.. broken]);
    }

    private Gen<JsonNode?> Object(IOpenApiSchema schema, int depth)
    {
        var required = schema.Required ?? new HashSet<string>();
        var properties = (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).ToList();
        var gens = properties.Select(p =>
        {
            var value = Valid(p.Value, p.Key, depth + 1);
            // Optional properties are sent half of the time.
            return required.Contains(p.Key)
                ? value.Select(v => (Include: true, Value: v))
                : Gen.Select(Gen.Bool, value, (include, v) => (Include: include, Value: v));
        });
        return Sequence(gens).Select(values =>
        {
            var result = new JsonObject();
            for (var i = 0; i < properties.Count; i++)
            {
                if (values[i].Include)
                {
                    result[properties[i].Key] = values[i].Value;
                }
            }

            return (JsonNode?)result;
        });
    }

    private Gen<(JsonNode?, string)> BrokenObject(IOpenApiSchema schema, string path, int depth)
    {
        var properties = (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).ToList();
        var required = (schema.Required ?? new HashSet<string>()).ToList();
        var valid = Object(schema, depth);
        var ways = new List<(int, IGen<(JsonNode?, string)>)>
        {
            (2, Gen.Select(valid, Gen.OneOf("unknown", "__proto__", "$type", "Name", "TEAMID", "constructor"), (node, extra) =>
            {
                node!.AsObject()[extra] = "surplus";
                return ((JsonNode?)node, $"{path}: unknown property \"{extra}\"");
            })),
            (1, Gen.Const<(JsonNode?, string)>(() => (new JsonObject(), $"{path}: empty object"))),
        };
        if (required.Count > 0)
        {
            ways.Add((3, Gen.Select(valid, Gen.Int[0, required.Count - 1], (node, i) =>
            {
                node!.AsObject().Remove(required[i]);
                return ((JsonNode?)node, $"{path}: required \"{required[i]}\" missing");
            })));
        }

        if (properties.Count > 0)
        {
            ways.Add((8, Gen.Int[0, properties.Count - 1].SelectMany(i =>
                Gen.Select(valid, Invalid(properties[i].Value, $"{path}.{properties[i].Key}", depth + 1), (node, broken) =>
                {
                    node!.AsObject()[properties[i].Key] = broken.Node;
                    return ((JsonNode?)node, broken.What);
                }))));
        }

        return Gen.Frequency([.. ways]);
    }

    private Gen<(JsonNode?, string)> BrokenArray(IOpenApiSchema schema, string path, int depth)
    {
        var tooMany = (schema.MaxItems ?? 200) + 1;
        var item = schema.Items is { } items ? Valid(items, null, depth + 1) : Gen.Const<JsonNode?>("x");
        var ways = new List<(int, IGen<(JsonNode?, string)>)>
        {
            (2, item.Array[tooMany].Select(nodes => ((JsonNode?)new JsonArray([.. nodes]), $"{path}: {tooMany} items"))),
            (1, Gen.Const<(JsonNode?, string)>(() => (new JsonArray(null, null), $"{path}: null items"))),
        };
        if (schema.MinItems is > 0)
        {
            ways.Add((2, Gen.Const<(JsonNode?, string)>(() => (new JsonArray(), $"{path}: no items"))));
        }

        if (schema.Items is { } itemSchema && depth < MaxDepth)
        {
            ways.Add((3, Invalid(itemSchema, $"{path}[0]", depth + 1).Select(broken => ((JsonNode?)new JsonArray(broken.Node), broken.What))));
        }

        return Gen.Frequency([.. ways]);
    }

    private static Gen<JsonNode?> BrokenString(IOpenApiSchema schema)
    {
        var strings = new List<string>(FuzzStrings.Hostile);
        if (schema.MaxLength is { } max)
        {
            strings.Add(new string('m', max + 1));
        }

        if (schema.MinLength is > 0 and var min)
        {
            strings.Add(new string('n', min - 1));
        }

        strings.AddRange(schema.Format switch
        {
            "uuid" => ["not-a-guid", "00000000-0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}", "0"],
            "date" => ["2024-02-30", "31/12/2024", "0000-00-00", "9999-12-31", "0001-01-01", "2024-13-01", "tomorrow"],
            "date-time" => ["2024-02-30T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday"],
            _ => [],
        });
        return Gen.OneOf([.. strings]).Select(s => (JsonNode?)JsonValue.Create(s));
    }

    private static JsonNode?[] BrokenNumbers(IOpenApiSchema schema)
    {
        var numbers = new List<JsonNode?>
        {
            JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(int.MinValue), JsonValue.Create(int.MaxValue),
            JsonValue.Create(2147483648L), JsonValue.Create(long.MinValue), JsonValue.Create(1.5),
            JsonNode.Parse("1e309"), JsonNode.Parse("-1e309"), JsonNode.Parse("99999999999999999999999999999"), JsonNode.Parse("1E2"),
            JsonValue.Create("12"), JsonValue.Create("abc"), JsonValue.Create("NaN"), JsonValue.Create("Infinity"), JsonValue.Create(""),
        };
        if (Bound(schema.Minimum) is { } minimum)
        {
            numbers.Add(JsonValue.Create(minimum - 1));
        }

        if (Bound(schema.Maximum) is { } maximum)
        {
            numbers.Add(JsonValue.Create(maximum + 1));
        }

        return [.. numbers];
    }

    private static JsonNode?[] WrongTypes(IOpenApiSchema schema)
    {
        var type = schema.Type ?? 0;
        var wrong = new List<JsonNode?>();
        if (!type.HasFlag(JsonSchemaType.String))
        {
            wrong.Add(JsonValue.Create("text"));
        }

        if (!type.HasFlag(JsonSchemaType.Integer) && !type.HasFlag(JsonSchemaType.Number))
        {
            wrong.Add(JsonValue.Create(42));
        }

        if (!type.HasFlag(JsonSchemaType.Boolean))
        {
            wrong.Add(JsonValue.Create(true));
        }

        if (!type.HasFlag(JsonSchemaType.Array))
        {
            wrong.Add(new JsonArray(JsonValue.Create(1)));
        }

        if (!type.HasFlag(JsonSchemaType.Object))
        {
            wrong.Add(new JsonObject { ["nested"] = "object" });
        }

        return [.. wrong];
    }

    private static Gen<JsonNode?> String(IOpenApiSchema schema)
    {
        Gen<string> text = schema.Format switch
        {
            "uuid" => Gen.Guid.Select(g => g.ToString()),
            "date" => Gen.Int[1, 3650].Select(days => Date(days)),
            "date-time" => Gen.Int[0, 3650].Select(days => DateTimeOffset.UtcNow.AddDays(days).ToString("O", CultureInfo.InvariantCulture)),
            _ => Gen.Char.AlphaNumeric.Array[Math.Max(1, schema.MinLength ?? 1), Math.Max(Math.Max(1, schema.MinLength ?? 1), Math.Min(schema.MaxLength ?? 40, 40))]
                .Select(chars => new string(chars)),
        };
        return text.Select(s => (JsonNode?)JsonValue.Create(s));
    }

    /// <summary>Realistic values for the properties that name something: real ids, the loopback scan target, slugs, emails.</summary>
    private Gen<JsonNode?>? Hint(string name) => name switch
    {
        "teamId" => Gen.Frequency((6, Gen.Const(world.TeamId)), (1, Gen.Guid.Select(g => g.ToString()))).Select(Node),
        "approverId" => Gen.OneOf(world.Owner.Id, world.Maintainer.Id).Select(Node),
        "assigneeId" => Gen.OneOf(world.Maintainer.Id, world.Owner.Id, "").Select(Node),
        "email" => Gen.Char.AlphaNumeric.Array[4, 12].Select(c => $"fuzz-{new string(c).ToLowerInvariant()}@example.com").Select(Node),
        "password" or "newPassword" => Gen.Char.AlphaNumeric.Array[12, 40].Select(c => new string(c)).Select(Node),
        "slug" => Gen.Char['a', 'z'].Array[6, 12].Select(c => "fz-" + new string(c)).Select(Node),
        // A name in lower case is also a valid slug, which an environment's name must be.
        "name" => Gen.Char['a', 'z'].Array[1, 20].Select(c => new string(c)).Select(Node),
        "url" or "baseUrl" => Gen.Const(FuzzWorld.ScanTarget).Select(Node),
        "environment" => Gen.Const(FuzzWorld.Environment).Select(Node),
        "checklistId" => Gen.Const(world.ChecklistId).Select(Node),
        "repositoryUrl" => Gen.Const("https://example.com/fuzzed").Select(Node),
        "credentialJson" => Gen.OneOf("{}", "{\"id\":\"AAAA\",\"type\":\"public-key\"}", "not json").Select(Node),
        "scopes" => Gen.OneOf<string[]>(["read"], ["read", "write"], ["write"]).Select(s => (JsonNode?)new JsonArray([.. s.Select(x => (JsonNode?)x)])),
        "tags" => Gen.OneOf<string[]>([], ["payments"], ["fuzz", "web.v2"]).Select(s => (JsonNode?)new JsonArray([.. s.Select(x => (JsonNode?)x)])),
        "expiresOn" or "dueOn" => Gen.Int[1, 365].Select(days => Node(Date(days))),
        _ => null,
    };

    private static JsonNode? Node(string value) => JsonValue.Create(value);

    /// <summary>One of <paramref name="nodes"/>, copied: a node can have only one parent.</summary>
    private static Gen<JsonNode?> Pick(JsonNode?[] nodes) => Gen.Int[0, nodes.Length - 1].Select(i => nodes[i]?.DeepClone());

    private static string Date(int daysFromToday) =>
        DateOnly.FromDateTime(DateTime.UtcNow.AddDays(daysFromToday)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool Allows(IOpenApiSchema schema, JsonSchemaType type) =>
        (schema.Type ?? 0).HasFlag(type) || (schema.OneOf ?? []).Any(a => a.Type is { } t && t.HasFlag(type));

    private static double? Bound(string? bound) =>
        double.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string Describe(JsonNode? node) =>
        node?.ToJsonString() is { Length: > 60 } text ? $"string of {text.Length - 2} characters" : $"string {node?.ToJsonString()}";

    /// <summary>One generator of all the values of <paramref name="gens"/>, in order.</summary>
    public static Gen<T[]> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<T>()), (all, next) => Gen.Select(all, next, (values, value) => (T[])[.. values, value]));
}
