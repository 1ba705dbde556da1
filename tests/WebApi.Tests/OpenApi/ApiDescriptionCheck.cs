using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace WebApi.Tests.OpenApi;

/// <summary>What an app's routes and its OpenAPI document say of each other, as "METHOD /path" operations.</summary>
internal static class ApiDescriptionCheck
{
    private static readonly HashSet<string> s_operationKeys = new(StringComparer.Ordinal) { "get", "put", "post", "delete", "options", "head", "patch", "trace" };

    /// <summary>Every method of every route endpoint; a route that accepts any method counts as "*", which no document can describe.</summary>
    public static HashSet<string> Routes(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => Operation(method, endpoint.RoutePattern)))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The routes that require an authenticated caller, by the authorization middleware's own rule.</summary>
    public static HashSet<string> AuthenticatedRoutes(EndpointDataSource endpoints, AuthorizationOptions authorization) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
                && (endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null
                    || endpoint.Metadata.GetMetadata<AuthorizationPolicy>() is not null
                    || endpoint.Metadata.GetMetadata<IAuthorizationRequirementData>() is not null
                    || authorization.FallbackPolicy is not null))
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => Operation(method, endpoint.RoutePattern)))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every operation of the document, with its JSON.</summary>
    public static Dictionary<string, JsonElement> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(item => s_operationKeys.Contains(item.Name))
                .Select(item => (Key: $"{item.Name.ToUpperInvariant()} {path.Name}", item.Value)))
            .ToDictionary(operation => operation.Key, operation => operation.Value, StringComparer.Ordinal);

    /// <summary>The routes the document does not describe, sorted, leaving out <paramref name="undocumented"/>.</summary>
    public static List<string> Undescribed(EndpointDataSource endpoints, JsonElement document, IEnumerable<string> undocumented) =>
        [.. Routes(endpoints).Except(undocumented).Except(Operations(document).Keys).Order(StringComparer.Ordinal)];

    /// <summary>The names of the schemes each alternative of the operation's security requirement asks for together.</summary>
    public static List<string> SecurityAlternatives(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().Select(requirement => string.Join('+', requirement.EnumerateObject().Select(scheme => scheme.Name).Order(StringComparer.Ordinal)))]
            : [];

    /// <summary>The path as OpenAPI writes it: parameters without constraints, defaults or optional marks.</summary>
    private static string Operation(string method, RoutePattern pattern) =>
        $"{method} /" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            _ => throw new NotSupportedException(part.GetType().Name),
        }))));
}
