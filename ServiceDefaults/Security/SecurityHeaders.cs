using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ServiceDefaults.Security;

/// <summary>
/// On every response, error pages included: content is used only as the type it declares, and nothing it contains
/// may load, run or frame anything. A response that sets its own policy (an HTML page) keeps it.
/// </summary>
internal static class SecurityHeaders
{
    public const string DefaultContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Set when the response starts, so the exception handler clearing a failed response's headers cannot drop them.
            context.Response.OnStarting(static state =>
            {
                Apply(((HttpResponse)state).Headers);
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });

    /// <summary>The headers themselves, for an answer given before this middleware runs (a shed request).</summary>
    public static void Apply(IHeaderDictionary headers)
    {
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers.TryAdd(HeaderNames.ContentSecurityPolicy, DefaultContentSecurityPolicy);
    }
}
