using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Error responses as RFC 7807 problem details: unhandled exceptions become a 500 without exception
/// details, and bodiless 4xx/5xx answers (unknown routes, wrong methods) get a problem body too.
/// </summary>
public static class ProblemDetailsExtensions
{
    public static TBuilder AddDefaultProblemDetails<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddProblemDetails();

        return builder;
    }

    /// <summary>Call first after building the app so the handlers wrap every later middleware and endpoint.</summary>
    public static WebApplication UseDefaultExceptionHandling(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler();
        app.UseStatusCodePages();

        return app;
    }
}
