using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace WebApi.OpenApi;

/// <summary>
/// An operation that requires an authenticated caller (authorization metadata, or a fallback policy, and no
/// AllowAnonymous) accepts either the session cookie, with the antiforgery header when it changes state, or a bearer
/// personal access token; it may answer 401 and 403. One whose policy admits only the session cookie (the account's
/// tokens, passkeys and sign-out: what a token must never do for itself) names the cookie alone.
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

        operation.Security = SessionOnly(context.Description.ActionDescriptor.EndpointMetadata, authorization.Value)
            ? [cookie]
            : [cookie, new OpenApiSecurityRequirement { [Reference(ApiDocumentTransformer.BearerScheme, context)] = [] }];
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

    /// <summary>
    /// Whether the endpoint authenticates with Identity's session cookie alone: the policy the authorization middleware
    /// combines from its metadata names authentication schemes (the union of each part's), and that one only.
    /// </summary>
    public static bool SessionOnly(IList<object> metadata, AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(options);

        var schemes = metadata.OfType<IAuthorizeData>()
            .SelectMany(data => (data.Policy is { } name ? options.GetPolicy(name)?.AuthenticationSchemes ?? [] : [])
                .Concat(data.AuthenticationSchemes?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? []))
            .Concat(metadata.OfType<AuthorizationPolicy>().SelectMany(policy => policy.AuthenticationSchemes))
            .ToHashSet(StringComparer.Ordinal);
        return schemes.SetEquals([IdentityConstants.ApplicationScheme]);
    }

    private static OpenApiSecuritySchemeReference Reference(string scheme, OpenApiOperationTransformerContext context) =>
        new(scheme, context.Document);
}
