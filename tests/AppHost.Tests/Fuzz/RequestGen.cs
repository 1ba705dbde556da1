using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.OpenApi;

namespace AppHost.Tests.Fuzz;

/// <summary>Strings that have broken parsers, databases and renderers before. None is an http(s) URL: the run never names a host.</summary>
internal static class FuzzStrings
{
    public static readonly string[] Hostile =
    [
        "", " ", "\0", "a\0b", "\u202Egnp.exe", "😀👍🏽", "Ω≈ç√∫", "\uFEFF", "\u0085", "Z̷̢̛a̶l̸g̵o̴", "\r\nX-Injected: 1",
        "'; DROP TABLE \"Teams\"; --", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd",
        "%00", "%s%s%s%n", "\\", "\"", "null", "NaN", "-0", "javascript:alert(1)", "ftp://127.0.0.1/", "http://user:pw@127.0.0.1:1/",
        new string('x', 300), new string('é', 5000), new string('y', 100_000),
    ];

    /// <summary>Query and path values outside what the parameter's schema allows.</summary>
    public static string[] Boundary(IOpenApiSchema? schema) => schema?.Format switch
    {
        "uuid" => ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "not-a-guid", "0", "{00000000-0000-0000-0000-000000000000}", Guid.Empty.ToString("N")],
        "int64" => ["0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1.5", "1e3", "abc", ""],
        "int32" => ["0", "-1", "1", "2147483647", "-2147483648", "2147483648", "99999999999", "1.5", "1e3", "0x10", " 5", "abc", ""],
        _ => ["", " ", "x", "-", "ü😀", "a b", "%", "null", "0", "-1", "NotAValue", new string('s', 101), new string('s', 2000), "production\u0000"],
    };
}

/// <summary>
/// The generator of one operation's requests: its path, query and header parameters and its body, each from the
/// operation's document (real ids, valid-by-schema, random and boundary values), sent by the caller its security
/// names (now and then by another, or none).
/// </summary>
internal static class RequestGen
{
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Gen<FuzzRequest> For(ApiOperation operation, FuzzWorld world)
    {
        var json = new JsonGen(world);
        var path = JsonGen.Sequence(operation.Parameters(ParameterLocation.Path).Select(p => PathValue(operation, p, world).Select(v => (p.Name!, v))))
            .Select(values => values.Aggregate(operation.Path, (template, value) => template.Replace("{" + value.Item1 + "}", Uri.EscapeDataString(value.v), StringComparison.Ordinal)));
        var query = JsonGen.Sequence(operation.Parameters(ParameterLocation.Query).Select(p => QueryValue(p, world).Select(v => (p.Name!, v))))
            .Select(values => values.Where(v => v.v is not null).ToList() is { Count: > 0 } given
                ? "?" + string.Join("&", given.Select(v => $"{Uri.EscapeDataString(v.Item1)}={Uri.EscapeDataString(v.v!)}"))
                : "");
        var headers = JsonGen.Sequence(operation.Parameters(ParameterLocation.Header).Select(p => HeaderValue(operation, p, world).Select(v => (p.Name!, v))))
            .Select(values => (IReadOnlyList<KeyValuePair<string, string>>)[.. values.Where(v => v.v is not null).Select(v => KeyValuePair.Create(v.Item1, v.v!))]);
        return Gen.Select(path, query, headers, Body(operation, json), Caller(operation),
            (p, q, h, body, caller) => new FuzzRequest(operation.Method, p, q, caller, h, body));
    }

    private static Gen<Caller> Caller(ApiOperation operation) => operation switch
    {
        { RequiresAuthentication: true, AcceptsBearer: true } => Gen.Frequency(
            (16, Gen.Const(Fuzz.Caller.Token)), (1, Gen.Const(Fuzz.Caller.Session)), (1, Gen.Const(Fuzz.Caller.SessionWithoutCsrf)),
            (1, Gen.Const(Fuzz.Caller.Anonymous)), (1, Gen.Const(Fuzz.Caller.ForgedToken))),
        { RequiresAuthentication: true } => Gen.Frequency(
            (14, Gen.Const(Fuzz.Caller.Session)), (2, Gen.Const(Fuzz.Caller.SessionWithoutCsrf)), (2, Gen.Const(Fuzz.Caller.Token)),
            (1, Gen.Const(Fuzz.Caller.Anonymous)), (1, Gen.Const(Fuzz.Caller.ForgedToken))),
        _ => Gen.Frequency(
            (12, Gen.Const(Fuzz.Caller.Anonymous)), (4, Gen.Const(Fuzz.Caller.Token)), (2, Gen.Const(Fuzz.Caller.Session)),
            (1, Gen.Const(Fuzz.Caller.SessionWithoutCsrf)), (1, Gen.Const(Fuzz.Caller.ForgedToken))),
    };

    private static Gen<string> PathValue(ApiOperation operation, IOpenApiParameter parameter, FuzzWorld world)
    {
        var real = world.RealValues(operation.Path, parameter.Name!);
        var random = parameter.Schema?.Format switch
        {
            "uuid" => Gen.Guid.Select(g => g.ToString()),
            "int64" => Gen.Long[1, 1_000_000].Select(n => n.ToString(CultureInfo.InvariantCulture)),
            _ => Gen.Char.AlphaNumeric.Array[1, 30].Select(c => new string(c)),
        };
        // Never empty: an empty segment makes another operation's URL (GET /api/self/scans/ is the list).
        var choices = new List<(int, IGen<string>)> { (2, random), (2, Gen.OneOf([.. FuzzStrings.Boundary(parameter.Schema).Where(v => v.Length > 0)])) };
        if (real.Count > 0)
        {
            choices.Add((6, Gen.OneOf([.. real])));
        }

        return Gen.Frequency([.. choices]);
    }

    private static Gen<string?> QueryValue(IOpenApiParameter parameter, FuzzWorld world)
    {
        var schema = parameter.Schema;
        Gen<string> valid = parameter.Name switch
        {
            "Service" => Gen.OneOf(world.ServiceSlug, "no-such-service"),
            "Environment" => Gen.OneOf(FuzzWorld.Environment, "staging"),
            "MinimumGrade" => Gen.OneOf("A+", "B", "c-", "F", "E", "A++"),
            "Sort" => Gen.OneOf("name", "-name", "updated", "-updated", "tier", "-tier", "size"),
            "TeamId" => Gen.OneOf(world.TeamId, Guid.NewGuid().ToString()),
            "Tag" => Gen.OneOf("payments", "fuzz"),
            "userId" => Gen.OneOf(world.Maintainer.Id, "nobody"),
            _ when Values(schema) is { Length: > 0 } values => Gen.OneOf(values),
            _ when schema?.Format is "int32" => Gen.Int[(int)(Bound(schema.Minimum) ?? 1), (int)Math.Min(Bound(schema.Maximum) ?? 100, 100)].Select(i => i.ToString(CultureInfo.InvariantCulture)),
            _ when schema?.Format is "uuid" => Gen.Guid.Select(g => g.ToString()),
            _ => Gen.Char.AlphaNumeric.Array[1, 20].Select(c => new string(c)),
        };
        var boundary = Values(schema) is { Length: > 0 }
            ? Gen.OneOf([.. FuzzStrings.Boundary(null), "queued", "1"])
            : Gen.OneOf(FuzzStrings.Boundary(schema));
        return Gen.Frequency(
            (3, Gen.Const((string?)null)),
            (3, valid.Select(v => (string?)v)),
            (3, boundary.Select(v => (string?)v)));
    }

    private static Gen<string?> HeaderValue(ApiOperation operation, IOpenApiParameter parameter, FuzzWorld world) => parameter.Name switch
    {
        "If-Match" => Gen.Frequency(
            (2, Gen.Const((string?)null)),
            (4, Gen.Const(world.ETagFor(operation.Path))),
            (3, Gen.OneOf<string?>("\"1\"", "*", "W/\"1\"", "garbage", "\"4294967296\"", "\"-1\"", "\"1\", \"2\"", "\"\"", "\"" + new string('9', 500) + "\""))),
        "Idempotency-Key" => Gen.Frequency(
            (3, Gen.Const((string?)null)),
            (3, Gen.Guid.Select(g => (string?)g.ToString())),
            (1, Gen.OneOf<string?>("k", new string('k', 129), new string('k', 1000), " "))),
        _ => Gen.Frequency((1, Gen.Const((string?)null)), (1, Gen.Char.AlphaNumeric.Array[1, 20].Select(c => (string?)new string(c)))),
    };

    private static Gen<FuzzBody?> Body(ApiOperation operation, JsonGen json)
    {
        var body = operation.RequestBody;
        if (body.TryGetValue(ApiOperation.Json, out var schema) && schema is not null)
        {
            return JsonBody(schema, json);
        }

        if (body.ContainsKey(ApiOperation.Multipart))
        {
            return Multipart();
        }

        // No body is declared: mostly none, now and then one that should be ignored or refused.
        return Gen.Frequency(
            (9, Gen.Const((FuzzBody?)null)),
            (1, Gen.OneOf<FuzzBody?>(FuzzBody.Text("application/json", "{\"unexpected\":true}", "body where none is declared"), FuzzBody.Text("text/plain", "x", "body where none is declared"))));
    }

    private static Gen<FuzzBody?> JsonBody(IOpenApiSchema schema, JsonGen json)
    {
        var valid = json.Valid(schema);
        var names = (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).Keys.DefaultIfEmpty("name").ToArray();
        return Gen.Frequency(
            (4, valid.Select(node => (FuzzBody?)Json(node, "valid by the schema"))),
            (5, json.Invalid(schema).Select(broken => (FuzzBody?)Json(broken.Node, "schema-violating: " + broken.What))),
            (2, Gen.Select(Gen.OneOf(Malformed), Gen.OneOf(names), (malformed, name) => (FuzzBody?)FuzzBody.Text(ApiOperation.Json, malformed.Replace("NAME", name, StringComparison.Ordinal), "malformed JSON"))),
            (1, Gen.Select(valid, Gen.OneOf<string?>(WrongContentTypes), (node, type) => (FuzzBody?)(Json(node, $"wrong Content-Type {type ?? "(none)"}") with { ContentType = type }))),
            (1, Gen.Const<FuzzBody?>(() => FuzzBody.Text(ApiOperation.Json, "{\"name\":\"" + new string('z', 1_200_000) + "\"}", "over the proxy's 1 MiB body limit"))));
    }

    private static FuzzBody Json(JsonNode? node, string kind) =>
        new(ApiOperation.Json, Encoding.UTF8.GetBytes(node?.ToJsonString(Relaxed) ?? "null"), kind);

    private static readonly string[] Malformed =
    [
        "", "{", "}", "{\"NAME\":", "{\"NAME\":}", "[]", "null", "42", "\"text\"", "true", "{\"NAME\":\"x\",}", "{'NAME':'x'}", "\uFEFF{}",
        "{\"NAME\":\"x\"}{\"NAME\":\"y\"}", "{\"NAME\":\"a\",\"NAME\":\"b\"}", "{\"NAME\":\"\\ud800\"}", "{\"NAME\":\"\\u0000\"}", "{\"NAME\":NaN}",
        "{\"NAME\":1" + new string('0', 400) + "}", "{\"NAME\":\"\\x41\"}", "{\"NAME\":\"tab\there\"}", new string('[', 5000) + new string(']', 5000),
        string.Concat(Enumerable.Repeat("{\"NAME\":", 70)) + "1" + new string('}', 70), "{\"NAME\":\"\u00ff\u00fe\"} garbage",
    ];

    private static readonly string?[] WrongContentTypes =
    [
        null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/json; charset=utf-16", "application/json-patch+json", "APPLICATION/JSON", "application/problem+json", "*/*",
    ];

    private static Gen<FuzzBody?> Multipart()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. new byte[32]];
        var files = Gen.OneOf(
            ("notes.txt", "fuzzed\n"u8.ToArray()),
            ("image.png", png),
            ("data.json", "{\"a\":1}"u8.ToArray()),
            ("page.html", "<html><script>alert(1)</script></html>"u8.ToArray()),
            ("empty.txt", Array.Empty<byte>()),
            ("binary.bin", new byte[] { 0, 1, 2, 3, 0xFF, 0xFE }),
            ("😀 ../../etc/passwd\u202E.txt", "x"u8.ToArray()),
            (new string('n', 1000) + ".txt", "x"u8.ToArray()));
        var valid = files.Select(file => (FuzzBody?)MultipartBody("fuzzboundary", file.Item1, file.Item2, "multipart file"));
        return Gen.Frequency(
            (4, valid),
            (1, Gen.Const<FuzzBody?>(FuzzBody.Text("multipart/form-data; boundary=fuzzboundary", "--fuzzboundary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nno file\r\n--fuzzboundary--\r\n", "multipart without a file"))),
            (1, Gen.Const<FuzzBody?>(FuzzBody.Text("multipart/form-data; boundary=fuzzboundary", "--fuzzboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nunterminated", "unterminated multipart"))),
            (1, Gen.Const<FuzzBody?>(FuzzBody.Text("multipart/form-data", "--x\r\n\r\n--x--", "multipart without a boundary"))),
            (1, Gen.Const<FuzzBody?>(FuzzBody.Text("multipart/form-data; boundary=" + new string('b', 300), "--b--", "overlong boundary"))),
            (1, Gen.Const<FuzzBody?>(FuzzBody.Text("multipart/form-data; boundary=fuzzboundary", "garbage", "multipart garbage"))),
            (1, Gen.Const<FuzzBody?>(FuzzBody.Text(ApiOperation.Json, "{\"file\":\"x\"}", "JSON instead of multipart"))),
            (1, Gen.Const((FuzzBody?)null)));
    }

    private static FuzzBody MultipartBody(string boundary, string fileName, byte[] content, string kind)
    {
        var head = Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        var tail = Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n");
        return new FuzzBody($"multipart/form-data; boundary={boundary}", [.. head, .. content, .. tail], kind);
    }

    private static string[] Values(IOpenApiSchema? schema) =>
        schema is null ? []
        : schema.Enum is { Count: > 0 } values ? [.. values.Select(v => v?.GetValue<string>() ?? "")]
        : schema.OneOf?.Select(Values).FirstOrDefault(v => v.Length > 0) ?? [];

    private static double? Bound(string? bound) =>
        double.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
