using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>Follows Aspire's resource notifications and logs what a person at the console needs.</summary>
internal sealed partial class ConsoleStatus(
    ResourceNotificationService notifications,
    DistributedApplicationModel model,
    IConfiguration configuration,
    ILogger<ConsoleStatus> logger) : ResourceEventFollower(notifications)
{
    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomResourceSnapshot> _latest = new(StringComparer.Ordinal);
    private bool _announced;

    protected override Task OnChangeAsync(ResourceEvent change, CancellationToken cancellationToken)
    {
        if (change.Resource is ParameterResource || change.Snapshot.IsHidden)
        {
            return Task.CompletedTask;
        }

        _latest[change.ResourceId] = change.Snapshot;
        var name = change.Resource.Annotations.OfType<ReplicaAnnotation>().Any() ? change.ResourceId : change.Resource.Name;
        var state = change.Snapshot.State?.Text ?? KnownResourceStates.NotStarted;
        var shown = change.Snapshot.HealthStatus is { } health && state == KnownResourceStates.Running ? $"{state} ({health})" : state;
        if (change.Snapshot.ExitCode is int exitCode && state != KnownResourceStates.Running)
        {
            shown += $", exit code {exitCode}";
        }

        var wasHealthy = _shown.TryGetValue(name, out var last) && last.EndsWith("(Healthy)", StringComparison.Ordinal);
        var worthShowing = state is not ("" or "NotStarted") && (shown != "Running (Unhealthy)" || wasHealthy);
        if (worthShowing && last != shown)
        {
            _shown[name] = shown;
            LogState(logger, name, shown);
        }

        AnnounceWhenUp();
        return Task.CompletedTask;
    }

    /// <summary>Once every resource runs healthy (or finished its one-shot job), the URLs, once.</summary>
    private void AnnounceWhenUp()
    {
        // Every resource reports NotStarted first, so what has reported is everything there is.
        if (_announced || !_latest.Values.All(IsUp))
        {
            return;
        }

        _announced = true;
        foreach (var resource in model.Resources.OfType<IResourceWithEndpoints>())
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.IsExternal && e.AllocatedEndpoint is not null))
            {
                var url = $"{endpoint.UriScheme}://localhost:{endpoint.AllocatedEndpoint!.Port}";
                LogReady(logger, resource.Name, url);
            }
        }

        // With random ports the dashboard is elsewhere; Aspire's own login line above names it.
        if (configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboard && !configuration.GetValue<bool>("DcpPublisher:RandomizePorts"))
        {
            var url = $"{dashboard.Split(';')[0]} (sign in with the login URL above)";
            LogReady(logger, "dashboard", url);
        }
    }

    private static bool IsUp(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Finished
        || (snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus is null or Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Resource}: {State}")]
    private static partial void LogState(ILogger logger, string resource, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready: {Resource} at {Url}")]
    private static partial void LogReady(ILogger logger, string resource, string url);
}
