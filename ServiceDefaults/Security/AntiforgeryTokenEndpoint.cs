using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ServiceDefaults.Security;

/// <summary>The token a browser client sends back in <see cref="HardenedCookies.AntiforgeryHeaderName"/> with each state-changing request.</summary>
public sealed record AntiforgeryTokenResponse(string HeaderName, string RequestToken);

public static class AntiforgeryTokenEndpoint
{
    public const string Path = "/api/antiforgery/token";

    /// <summary>
    /// <c>GET /api/antiforgery/token</c>: sets the antiforgery cookie and returns the matching request token.
    /// The antiforgery system marks the response no-store, so no shared cache keeps one user's token for another.
    /// Only over HTTPS (directly or as forwarded by the trusted proxy), since the cookie is Secure.
    /// </summary>
    public static IEndpointRouteBuilder MapAntiforgeryTokenEndpoint(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);

        routes.MapGet(Path, Results<Ok<AntiforgeryTokenResponse>, ProblemHttpResult> (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!http.Request.IsHttps)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "HTTPS required",
                    detail: "The antiforgery cookie is Secure, so the token is issued over HTTPS only.");
            }

            var tokens = antiforgery.GetAndStoreTokens(http);
            return TypedResults.Ok(new AntiforgeryTokenResponse(tokens.HeaderName!, tokens.RequestToken!));
        })
            .WithTags("Antiforgery")
            .WithSummary("Get the antiforgery token for cookie-authenticated writes")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        return routes;
    }
}
