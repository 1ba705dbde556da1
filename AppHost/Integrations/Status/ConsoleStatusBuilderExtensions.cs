
namespace Aspire.Hosting;

/// <summary>A readable console for <c>dotnet run --project AppHost</c>: the dashboard has the detail.</summary>
public static class ConsoleStatusBuilderExtensions
{
    /// <summary>
    /// Logs each resource's state and health as they change, and once everything is up, the URLs to open: every
    /// external endpoint and the dashboard.
    /// </summary>
    public static IDistributedApplicationBuilder AddConsoleStatus(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        ResourceEventFollower.AddTo<ConsoleStatus>(builder);
        return builder;
    }
}
