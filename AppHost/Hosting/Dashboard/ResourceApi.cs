using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Dashboard;

/// <summary>The resource table as JSON on 127.0.0.1: what tests and tools watch the system through.</summary>
internal static class ResourceApi
{
    public static void MapResourceApi(this WebApplication app)
    {
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        var api = app.MapGroup("/api/resources");
        api.MapGet("/", (ResourceNotificationService notifications) => TypedResults.Ok(notifications.Snapshot()));
        api.MapGet("/{name}", Results<Ok<ResourceSnapshot>, ProblemHttpResult> (string name, ResourceNotificationService notifications) =>
        {
            try
            {
                return TypedResults.Ok(notifications.Snapshot(name));
            }
            catch (KeyNotFoundException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown resource", detail: $"No resource named '{name}'.");
            }
        });
        api.MapPost("/{name}/stop", (string name, Orchestrator orchestrator) => ExecuteAsync(orchestrator, name, "stop"));
        api.MapPost("/{name}/start", (string name, Orchestrator orchestrator) => ExecuteAsync(orchestrator, name, "start"));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> ExecuteAsync(Orchestrator orchestrator, string name, string command)
    {
        try
        {
            await orchestrator.ExecuteCommandAsync(name, command);
            return TypedResults.Accepted($"/api/resources/{name}");
        }
        catch (KeyNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown resource", detail: ex.Message);
        }
        catch (NotSupportedException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Command not supported", detail: ex.Message);
        }
    }
}
