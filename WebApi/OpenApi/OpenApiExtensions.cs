using Scalar.AspNetCore;
using WebApi.OpenApi;

// Beside AddServiceDefaults, so Program.cs needs no using of its own for these two calls.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The OpenAPI document of the public API (<c>/openapi/v1.json</c>) and Scalar's interactive reference on it
/// (<c>/api/docs</c>), in every environment: the API is public and the document describes only the routes the
/// proxy already exposes under <c>/api/</c>; a new user running the stack from the README gets Production services,
/// and the reference is what they try the API with. Neither reveals anything a request to the API would not.
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    /// <summary>
    /// Only the API's routes, under this prefix, are described: the health probes are for orchestrators and the
    /// management endpoints are never routed publicly.
    /// </summary>
    public const string ApiPrefix = "api/";

    private const string DocumentRoutePattern = "/openapi/{documentName}.json";

    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith(ApiPrefix, StringComparison.Ordinal) == true;
            options.AddDocumentTransformer<ApiDocumentTransformer>();
            options.AddOperationTransformer<SecurityRequirementTransformer>();
            options.AddOperationTransformer<ConditionalRequestsTransformer>();
            options.AddOperationTransformer<ProblemResponsesTransformer>();
            options.AddSchemaTransformer<ProblemDetailsSchemaTransformer>();
            options.AddSchemaTransformer<JsonElementSchemaTransformer>();
            options.AddSchemaTransformer<OptionalRequestPropertiesTransformer>();
        });

        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapOpenApi(DocumentRoutePattern);
        app.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("ReadinessAspire API")
            .WithOpenApiRoutePattern(DocumentRoutePattern)
            // Nothing from outside: the bundle is Scalar.AspNetCore's own (served under /api/docs/), fonts are the
            // system's, no telemetry or AI agent, and none of the buttons that lead to Scalar's hosted services.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .HideClientButton()
            // A fresh nonce on every page's script tags, which the page's policy below allows.
            .WithNonce())
            .AddEndpointFilter(async (context, next) =>
            {
                var result = await next(context);
                // Only the page carries a nonce; its scripts and the redirect to the trailing slash keep the default policy.
                if (context.HttpContext.Items[ScalarOptions.NonceHttpContextItemKey] is string nonce)
                {
                    context.HttpContext.Response.Headers.ContentSecurityPolicy = ReferencePagePolicy(nonce);
                }

                return result;
            });

        return app;
    }

    /// <summary>
    /// What Scalar's page needs, checked in headless Chromium (load, open an operation, send a test request) with no
    /// violation reported: its scripts from this origin plus the inline module that starts it, by nonce (no eval);
    /// styles need 'unsafe-inline', since the bundle injects style elements and style attributes without a nonce;
    /// images (the favicon) and requests (the document, test requests) from this origin only, which also stops any
    /// of the bundle's links to Scalar's services from being fetched. The proxy passes this header through for the
    /// reference's paths alone.
    /// </summary>
    internal static string ReferencePagePolicy(string nonce) =>
        $"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}
