using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Security;

/// <summary>
/// An answer to an unhandled exception says only that the server failed, with the trace id to find it in the logs:
/// no message, type name or stack, whichever component produced the problem details and in every environment.
/// </summary>
internal static class ProblemDetailsHardening
{
    public static IServiceCollection AddProblemDetailsHardening(this IServiceCollection services) =>
        services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            var customize = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                if (context.Exception is not null)
                {
                    context.ProblemDetails.Detail = null;
                    context.ProblemDetails.Extensions.Remove("exception");
                }
            };
        });
}
