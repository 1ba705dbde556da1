using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace ServiceDefaults.Security;

/// <summary>
/// Every state-changing request (POST, PUT, PATCH, DELETE) that carries cookies must also carry the antiforgery token,
/// for every endpoint, present or added later, unless the endpoint opts out with <c>DisableAntiforgery()</c>.
/// Requests without cookies (API clients with bearer tokens) have no ambient credentials to abuse and pass.
/// A missing or invalid token, or such a request over plain HTTP, answers 400 problem details before the endpoint runs.
/// </summary>
internal static class CsrfProtection
{
    public static IApplicationBuilder UseCsrfProtection(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // The antiforgery cookie is Secure, so over plain HTTP no request can be valid (and the validator would throw).
            if (RequiresToken(context) && (!context.Request.IsHttps || !await IsValidAsync(context)))
            {
                await WriteRejectionAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary>
    /// Whether the request carries a valid token. Without the header the validator looks in a form body, and a form it
    /// cannot read (an unterminated multipart upload, say) makes it throw: no token can be read from it, so it is none.
    /// </summary>
    private static async Task<bool> IsValidAsync(HttpContext context)
    {
        try
        {
            return await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static bool RequiresToken(HttpContext context) =>
        !HttpMethods.IsGet(context.Request.Method)
        && !HttpMethods.IsHead(context.Request.Method)
        && !HttpMethods.IsOptions(context.Request.Method)
        && !HttpMethods.IsTrace(context.Request.Method)
        && context.Request.Headers.ContainsKey(HeaderNames.Cookie)
        // Only endpoints that would run: unknown routes and 405 answers are not RouteEndpoints.
        && context.GetEndpoint() is RouteEndpoint endpoint
        && endpoint.Metadata.GetMetadata<IAntiforgeryMetadata>() is not { RequiresValidation: false };

    private static async Task WriteRejectionAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Antiforgery token missing or invalid",
                Detail = $"A request that changes state and carries cookies must send the token from {AntiforgeryTokenEndpoint.Path} in the {HardenedCookies.AntiforgeryHeaderName} header.",
            },
        });
    }
}
