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
                var headers = ((HttpResponse)state).Headers;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers.TryAdd(HeaderNames.ContentSecurityPolicy, DefaultContentSecurityPolicy);
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
}
