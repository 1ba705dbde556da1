using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;

namespace WebApi.Tests.OpenApi;

/// <summary>
/// WebApi's OpenAPI document against WebApi's own routes, whatever routes it has: a route added without a description,
/// or hidden with ExcludeFromDescription, fails here unless it is named below with the reason.
/// </summary>
public sealed class OpenApiDocumentTests(DocumentedWebApi api) : IClassFixture<DocumentedWebApi>
{
    /// <summary>The routes that are not the public API. Each must exist, so the list cannot go stale.</summary>
    internal static readonly string[] Undocumented =
    [
        // Probes for orchestrators and load balancers.
        "GET /health/live",
        "GET /health/ready",
        // The management port's, which the proxy never routes.
        "GET /health/details",
        // Prometheus' scraping endpoint takes any method.
        "* /metrics",
        // The document itself, and Scalar's reference page and its scripts.
        "GET /openapi/{documentName}.json",
        "GET /api/docs/{documentName}",
        "GET /api/docs/scalar.js",
        "GET /api/docs/scalar.aspnetcore.js",
        "GET /api/docs/favicon.svg",
    ];

    [Fact]
    public async Task Every_route_is_described_with_its_method()
    {
        using var document = await api.GetDocumentAsync();

        var routes = ApiDescriptionCheck.Routes(api.Endpoints);
        Assert.Empty(Undocumented.Except(routes));
        var undescribed = ApiDescriptionCheck.Undescribed(api.Endpoints, document.RootElement, Undocumented);
        Assert.True(undescribed.Count == 0, "Routes missing from the OpenAPI document: " + string.Join(", ", undescribed));
        Assert.Contains("GET /api/checklists/{id}", ApiDescriptionCheck.Operations(document.RootElement).Keys);
    }

    [Fact]
    public async Task Only_the_api_is_described()
    {
        using var document = await api.GetDocumentAsync();

        Assert.All(ApiDescriptionCheck.Operations(document.RootElement).Keys, operation => Assert.Contains(" /api/", operation, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_document_is_json_with_a_title_version_and_description()
    {
        using var client = api.CreatePlainClient();

        using var response = await client.GetAsync(new Uri(OpenApiExtensions.DocumentPath, UriKind.Relative));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var info = document.RootElement.GetProperty("info");
        Assert.Equal("ReadinessAspire API", info.GetProperty("title").GetString());
        Assert.Equal("v1", info.GetProperty("version").GetString());
        Assert.Contains("problem details", info.GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_security_schemes_are_the_session_cookie_with_its_antiforgery_header_and_bearer_access_tokens()
    {
        using var document = await api.GetDocumentAsync();

        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");
        var cookie = schemes.GetProperty("cookie");
        Assert.Equal("apiKey", cookie.GetProperty("type").GetString());
        Assert.Equal("cookie", cookie.GetProperty("in").GetString());
        Assert.Equal("__Host-ra-auth", cookie.GetProperty("name").GetString());
        var antiforgery = schemes.GetProperty("antiforgery");
        Assert.Equal("apiKey", antiforgery.GetProperty("type").GetString());
        Assert.Equal("header", antiforgery.GetProperty("in").GetString());
        Assert.Equal("X-CSRF-TOKEN", antiforgery.GetProperty("name").GetString());
        var bearer = schemes.GetProperty("bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Contains("ra_pat_", bearer.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    /// <summary>What a personal access token must never do for itself: these take the browser session alone.</summary>
    internal static readonly string[] SessionOnly =
    [
        "POST /api/account/sign-out",
        "POST /api/account/passkeys/creation-options",
        "POST /api/account/passkeys",
        "GET /api/account/tokens",
        "POST /api/account/tokens",
        "GET /api/account/tokens/{id}",
        "DELETE /api/account/tokens/{id}",
    ];

    [Fact]
    public async Task Operations_that_require_authentication_and_only_they_name_the_schemes()
    {
        using var document = await api.GetDocumentAsync();

        AssertSecurityFollowsAuthorization(ApiDescriptionCheck.AuthenticatedRoutes(api.Endpoints, api.Authorization), ApiDescriptionCheck.Operations(document.RootElement), [.. SessionOnly]);
    }

    [Fact]
    public async Task Every_error_response_is_problem_details()
    {
        using var document = await api.GetDocumentAsync();

        AssertErrorsAreProblemDetails(document.RootElement);
    }

    [Fact]
    public async Task Problem_details_allow_the_extension_members_the_api_writes_and_name_the_trace_id()
    {
        using var document = await api.GetDocumentAsync();

        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            var schema = schemas.GetProperty(name);
            Assert.False(schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False, $"{name} forbids extension members");
            Assert.Equal("string", schema.GetProperty("properties").GetProperty("traceId").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task A_nullable_json_value_is_null_or_a_json_value_never_both()
    {
        using var document = await api.GetDocumentAsync();

        // The audit trail's before and after: oneOf null or JsonElement, so JsonElement must not admit null itself.
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var before = schemas.GetProperty("AuditEntryResponse").GetProperty("properties").GetProperty("before");
        Assert.Equal("#/components/schemas/JsonElement", before.GetProperty("oneOf")[1].GetProperty("$ref").GetString());
        var types = schemas.GetProperty("JsonElement").GetProperty("type").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.DoesNotContain("null", types);
        Assert.Contains("object", types);
    }

    [Theory]
    // A PATCH sends only what changes.
    [InlineData("UpdateItemRequest", new string[0])]
    // A scan names an environment or a URL, and may choose a profile.
    [InlineData("QueueScanRequest", new string[0])]
    [InlineData("CreateServiceRequest", new[] { "teamId", "name", "slug" })]
    [InlineData("UpdateServiceRequest", new[] { "name", "tier" })]
    // Nested in a request: the profile is optional, and every part of a waiver is required ([Required] on a nullable date).
    [InlineData("ServiceEnvironmentRequest", new[] { "name", "baseUrl" })]
    [InlineData("WaiverRequest", new[] { "reason", "approverId", "expiresOn" })]
    public async Task A_request_requires_what_the_api_requires_not_every_constructor_parameter(string schema, string[] required)
    {
        using var document = await api.GetDocumentAsync();

        var listed = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(schema).TryGetProperty("required", out var names)
            ? names.EnumerateArray().Select(n => n.GetString()).ToList()
            : [];

        Assert.Equal(required, listed);
    }

    [Fact]
    public async Task A_response_lists_its_nullable_properties_as_required_since_it_always_carries_them()
    {
        using var document = await api.GetDocumentAsync();

        var session = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("SessionResponse");

        Assert.Equal(["signedIn", "account"], session.GetProperty("required").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task Changes_require_if_match_and_idempotent_creates_take_an_idempotency_key()
    {
        using var document = await api.GetDocumentAsync();
        var operations = ApiDescriptionCheck.Operations(document.RootElement);

        foreach (var (route, operation) in operations.Where(o => o.Key.Split(' ')[0] is "PUT" or "PATCH" or "DELETE"))
        {
            var ifMatch = Header(operation, "If-Match");
            Assert.True(ifMatch is { } header && header.GetProperty("required").GetBoolean(), $"{route} does not require If-Match");
            Assert.True(operation.GetProperty("responses").TryGetProperty("412", out _), $"{route} lacks 412");
            Assert.True(operation.GetProperty("responses").TryGetProperty("428", out _), $"{route} lacks 428");
        }

        foreach (var route in new[] { "POST /api/teams", "POST /api/services", "POST /api/services/{serviceId}/reviews", "POST /api/teams/{teamId}/members" })
        {
            Assert.NotNull(Header(operations[route], "Idempotency-Key"));
            Assert.True(operations[route].GetProperty("responses").TryGetProperty("422", out _), $"{route} lacks 422");
        }

        Assert.Null(Header(operations["POST /api/account/sign-in"], "Idempotency-Key"));
        // Completing a review is a POST that checks If-Match too.
        Assert.True(Header(operations["POST /api/reviews/{reviewId}/complete"], "If-Match") is { } complete && complete.GetProperty("required").GetBoolean());
        Assert.True(operations["POST /api/reviews/{reviewId}/complete"].GetProperty("responses").TryGetProperty("428", out _));
    }

    [Fact]
    public async Task Ids_in_the_path_may_answer_404_paths_queries_and_bodies_400_and_bodies_415()
    {
        using var document = await api.GetDocumentAsync();

        foreach (var (route, operation) in ApiDescriptionCheck.Operations(document.RootElement))
        {
            var responses = operation.GetProperty("responses");
            List<string?> locations = operation.TryGetProperty("parameters", out var parameters)
                ? [.. parameters.EnumerateArray().Select(p => p.GetProperty("in").GetString())]
                : [];
            var body = operation.TryGetProperty("requestBody", out _);
            Assert.True(!locations.Contains("path") || responses.TryGetProperty("404", out _), $"{route} lacks 404");
            Assert.True(!(body || locations.Contains("query") || locations.Contains("path")) || responses.TryGetProperty("400", out _), $"{route} lacks 400");
            Assert.True(!body || responses.TryGetProperty("415", out _), $"{route} lacks 415");
        }
    }

    private static JsonElement? Header(JsonElement operation, string name) =>
        operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(p => p!.Value.GetProperty("in").GetString() == "header" && p.Value.GetProperty("name").GetString() == name)
            : null;

    [Fact]
    public async Task The_reference_page_runs_only_its_own_scripts_under_a_policy_with_a_fresh_nonce()
    {
        using var client = api.CreatePlainClient();

        using var redirect = await client.GetAsync(new Uri(OpenApiExtensions.ReferencePath, UriKind.Relative));
        var first = await ReferencePage.GetAsync(client);
        var second = await ReferencePage.GetAsync(client);

        Assert.Equal(OpenApiExtensions.ReferencePath + "/", ReferencePage.PagePath);
        Assert.Equal(OpenApiExtensions.DocumentPath, ReferencePage.DocumentPath);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("docs/", redirect.Headers.Location?.OriginalString);
        Assert.NotEqual(first.Nonce, second.Nonce);
        foreach (var asset in first.Assets)
        {
            using var response = await client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }
    }

    /// <summary>
    /// Each operation requiring authentication takes the cookie (with the antiforgery header on writes) or a bearer
    /// token, or the cookie alone where it is <paramref name="sessionOnly"/>, and may answer 401 and 403; no other
    /// operation names a scheme.
    /// </summary>
    internal static void AssertSecurityFollowsAuthorization(HashSet<string> authenticated, Dictionary<string, JsonElement> operations, HashSet<string> sessionOnly)
    {
        Assert.Empty(sessionOnly.Except(authenticated));
        foreach (var (key, operation) in operations)
        {
            var alternatives = ApiDescriptionCheck.SecurityAlternatives(operation);
            if (!authenticated.Contains(key))
            {
                Assert.True(alternatives.Count == 0, $"{key} requires no authentication but names {string.Join(" or ", alternatives)}");
                continue;
            }

            var write = key.Split(' ')[0] is "POST" or "PUT" or "PATCH" or "DELETE";
            var cookie = write ? "antiforgery+cookie" : "cookie";
            Assert.Equal(sessionOnly.Contains(key) ? [cookie] : [cookie, "bearer"], alternatives);
            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out _), $"{key} lacks 401");
            Assert.True(responses.TryGetProperty("403", out _), $"{key} lacks 403");
        }
    }

    /// <summary>Every 4xx and 5xx response of every operation is problem details, and every operation lists 429, 500 and 503.</summary>
    internal static void AssertErrorsAreProblemDetails(JsonElement document)
    {
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("ProblemDetails", out _));
        var operations = ApiDescriptionCheck.Operations(document);
        Assert.NotEmpty(operations);
        foreach (var (key, operation) in operations)
        {
            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "429", "500", "503" })
            {
                Assert.True(responses.TryGetProperty(status, out _), $"{key} lacks {status}");
            }

            foreach (var response in responses.EnumerateObject().Where(response => response.Name[0] is '4' or '5'))
            {
                var content = Assert.Single(response.Value.GetProperty("content").EnumerateObject());
                Assert.Equal("application/problem+json", content.Name);
                // ProblemDetails, or HttpValidationProblemDetails where an endpoint declares a validation problem.
                Assert.Matches("^#/components/schemas/(HttpValidation)?ProblemDetails$", content.Value.GetProperty("schema").GetProperty("$ref").GetString());
            }
        }
    }
}
