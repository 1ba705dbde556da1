using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>Follows Aspire's resource notifications and logs what a person at the console needs.</summary>
internal sealed partial class ConsoleStatus(
    ResourceNotificationService notifications,
    DistributedApplicationModel model,
    ResourceLoggerService resourceLogs,
    IConfiguration configuration,
    ILogger<ConsoleStatus> logger) : ResourceEventFollower(notifications)
{
    /// <summary>How much of a failed resource's console log is shown: enough for the error and what led to it.</summary>
    private const int LastLineCount = 20;
    private static readonly TimeSpan s_logFetchTimeout = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan s_logSettleTime = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomResourceSnapshot> _latest = new(StringComparer.Ordinal);
    private bool _announced;

    protected override async Task OnChangeAsync(ResourceEvent change, CancellationToken cancellationToken)
    {
        if (change.Resource is ParameterResource || change.Snapshot.IsHidden)
        {
            return;
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
            if (change.Snapshot.ExitCode is int failed and not 0 && state != KnownResourceStates.Running)
            {
                // Without the dashboard open, the console is all there is: say why it failed, not only that it did.
                await LogLastLinesAsync(change.ResourceId, name, failed, cancellationToken);
            }
        }

        AnnounceWhenUp();
    }

    /// <summary>
    /// Logs the last lines DCP has of the resource's console. DCP may still be writing the last of them when it
    /// announces the exit, so they are read again until two reads a second apart agree.
    /// </summary>
    private async Task LogLastLinesAsync(string resourceId, string name, int exitCode, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> lines = [];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_logFetchTimeout);
        try
        {
            var count = -1;
            while (await ReadLastLinesAsync(resourceId, timeout.Token) is var read && read.Count != count)
            {
                (count, lines) = read;
                await Task.Delay(s_logSettleTime, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // DCP did not settle in time: show what came.
        }

        LogLastLines(logger, name, exitCode, lines.Count, lines.Count == 0 ? "(none)" : "\n" + string.Join('\n', lines));
    }

    /// <summary>How many lines DCP has of the resource's console, and the last <see cref="LastLineCount"/> of them.</summary>
    private async Task<(int Count, IReadOnlyList<string> Last)> ReadLastLinesAsync(string resourceId, CancellationToken cancellationToken)
    {
        var last = new Queue<string>(LastLineCount);
        var count = 0;
        await foreach (var batch in resourceLogs.GetAllAsync(resourceId).WithCancellation(cancellationToken))
        {
            foreach (var line in batch)
            {
                count++;
                if (last.Count == LastLineCount)
                {
                    last.Dequeue();
                }

                last.Enqueue(line.Content);
            }
        }

        return (count, [.. last]);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} exited with code {ExitCode}; its last {Count} log lines: {Lines}")]
    private static partial void LogLastLines(ILogger logger, string resource, int exitCode, int count, string lines);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready: {Resource} at {Url}")]
    private static partial void LogReady(ILogger logger, string resource, string url);
}
