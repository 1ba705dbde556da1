using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace AppHost.Tests.Fuzz;

/// <summary>The API's OpenAPI document as the running stack serves it, read with Microsoft.OpenApi: every operation and what it may answer.</summary>
internal sealed class ApiContract
{
    public const string DocumentPath = "/openapi/v1.json";

    private ApiContract(IReadOnlyList<ApiOperation> operations) => Operations = operations;

    public IReadOnlyList<ApiOperation> Operations { get; }

    /// <summary>Fetches the document through <paramref name="client"/> (the proxy) and reads it; fails on any reading error.</summary>
    public static async Task<ApiContract> FetchAsync(HttpClient client)
    {
        var json = await client.GetStringAsync(new Uri(DocumentPath, UriKind.Relative));
        var read = OpenApiDocument.Parse(json, OpenApiConstants.Json, new OpenApiReaderSettings());
        Assert.True(read.Diagnostic is null || read.Diagnostic.Errors.Count == 0,
            "The OpenAPI document does not read: " + string.Join("; ", read.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}") ?? []));
        var document = read.Document ?? throw new Xunit.Sdk.XunitException("No OpenAPI document was read.");
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                operations.Add(new ApiOperation(method.Method.ToUpperInvariant(), path, operation));
            }
        }

        Assert.True(operations.Count > 0, "The OpenAPI document describes no operation.");
        return new ApiContract(operations);
    }
}

/// <summary>One operation of the document: its parameters, its request body and the responses it declares.</summary>
internal sealed class ApiOperation(string method, string path, OpenApiOperation operation)
{
    public const string Json = "application/json";
    public const string Multipart = "multipart/form-data";

    public string Method { get; } = method;

    public string Path { get; } = path;

    public string Key => $"{Method} {Path}";

    public IReadOnlyList<IOpenApiParameter> Parameters(ParameterLocation location) =>
        [.. (operation.Parameters ?? []).Where(p => p.In == location)];

    /// <summary>The request body's media types and their schemas; empty when the operation takes no body.</summary>
    public IReadOnlyDictionary<string, IOpenApiSchema?> RequestBody =>
        (operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>()).ToDictionary(c => c.Key, c => c.Value.Schema, StringComparer.OrdinalIgnoreCase);

    /// <summary>The security schemes named by each alternative requirement, e.g. <c>[cookie, antiforgery]</c> or <c>[bearer]</c>.</summary>
    public IReadOnlyList<IReadOnlySet<string>> Security =>
        [.. (operation.Security ?? []).Select(requirement => (IReadOnlySet<string>)requirement.Keys.Select(scheme => scheme.Reference.Id ?? "").ToHashSet(StringComparer.Ordinal))];

    public bool RequiresAuthentication => Security.Count > 0;

    public bool AcceptsBearer => Security.Any(r => r.Contains("bearer"));

    /// <summary>The response declared for <paramref name="status"/>, else the <c>default</c> one, else null.</summary>
    public IOpenApiResponse? Response(int status) =>
        operation.Responses is { } responses
            ? responses.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var declared) ? declared
            : responses.TryGetValue("default", out var fallback) ? fallback : null
            : null;

    public IEnumerable<string> DeclaredStatuses => operation.Responses?.Keys ?? Enumerable.Empty<string>();

    public override string ToString() => Key;
}
