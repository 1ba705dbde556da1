using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;

namespace WebApi.Http;

/// <summary>How the API reads and writes JSON, and how it answers a request it cannot read.</summary>
public static class ApiExtensions
{
    public static IHostApplicationBuilder AddApiConventions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.Configure<JsonOptions>(options =>
        {
            // Enums by name ("Done", "Owner"), and a field the API does not know is an error rather than silently dropped.
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        // .NET 10's validation of [Required], [MaxLength] and the like on every endpoint's parameters: 400 with errors per field.
        builder.Services.AddValidation();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddExceptionHandler<ConcurrencyConflictHandler>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}

/// <summary>
/// A body that is not JSON, has a wrong type or an unknown field, or a parameter that does not parse: 400 problem details
/// saying where, instead of an empty 400. The message names the JSON path, never server internals.
/// </summary>
public sealed class BadRequestHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var detail = badRequest.InnerException is JsonException { Path: { } path } json
            ? $"The JSON body is invalid at {path}: {FirstSentence(json.Message)}"
            : FirstSentence(badRequest.Message);
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = badRequest.StatusCode, Title = "Bad Request", Detail = detail },
        });
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
