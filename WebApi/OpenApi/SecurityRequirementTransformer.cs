using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace WebApi.OpenApi;

/// <summary>
/// An operation that requires an authenticated caller (authorization metadata, or a fallback policy, and no
/// AllowAnonymous) accepts either the session cookie, with the antiforgery header when it changes state, or a bearer
/// personal access token; it may answer 401 and 403.
/// </summary>
internal sealed class SecurityRequirementTransformer(IOptions<AuthorizationOptions> authorization) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);

        if (!RequiresAuthentication(context.Description.ActionDescriptor.EndpointMetadata, authorization.Value))
        {
            return Task.CompletedTask;
        }

        var cookie = new OpenApiSecurityRequirement { [Reference(ApiDocumentTransformer.CookieScheme, context)] = [] };
        if (ProblemResponsesTransformer.ChangesState(context.Description.HttpMethod))
        {
            // Both in one requirement: the cookie and the header together.
            cookie[Reference(ApiDocumentTransformer.AntiforgeryScheme, context)] = [];
        }

        operation.Security = [cookie, new OpenApiSecurityRequirement { [Reference(ApiDocumentTransformer.BearerScheme, context)] = [] }];
        ProblemResponsesTransformer.AddProblem(operation, context, StatusCodes.Status401Unauthorized, "No valid session cookie or access token.");
        ProblemResponsesTransformer.AddProblem(operation, context, StatusCodes.Status403Forbidden, "Authenticated, but not allowed to do this.");
        return Task.CompletedTask;
    }

    /// <summary>The authorization middleware's own rule: AllowAnonymous wins; otherwise any authorization metadata, or the fallback policy.</summary>
    public static bool RequiresAuthentication(IList<object> metadata, AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(options);

        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return false;
        }

        return metadata.Any(item => item is IAuthorizeData or AuthorizationPolicy or IAuthorizationRequirementData)
            || options.FallbackPolicy is not null;
    }

    private static OpenApiSecuritySchemeReference Reference(string scheme, OpenApiOperationTransformerContext context) =>
        new(scheme, context.Document);
}
