using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>What every service project of ours gets from the AppHost, as ServiceDefaults expects it.</summary>
public static class ServiceProjectBuilderExtensions
{
    /// <summary>
    /// The public HTTP endpoint and the internal management endpoint (<c>Management__Port</c>: /metrics and
    /// /health/details, never routed by the proxy), the services' environment (<c>AppHost:ServiceEnvironment</c>,
    /// Production unless asked) and, locally, the folder for their rolling JSON log files. Deployed, the ports are the
    /// container's fixed 8080 and 8081; locally DCP gives each replica its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceEndpoints(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode)
        {
            // Aspire leaves an endpoint named by env out of HTTP_PORTS; both ports must be listened on.
            builder
                .WithHttpEndpoint(targetPort: 8080)
                .WithHttpEndpoint(targetPort: 8081, name: PrometheusBuilderExtensions.ManagementEndpointName)
                .DisableForwardedHeaders();
            return builder.WithEnvironment("Management__Port", builder.GetEndpoint(PrometheusBuilderExtensions.ManagementEndpointName).Property(EndpointProperty.TargetPort));
        }

        builder
            .WithHttpEndpoint()
            .WithHttpEndpoint(name: PrometheusBuilderExtensions.ManagementEndpointName, env: "Management__Port")
            // ServiceDefaults trusts forwarded headers only from ForwardedHeaders__KnownNetworks; Aspire's switch would clear that list.
            .DisableForwardedHeaders();
        var http = builder.GetEndpoint("http");
        var management = builder.GetEndpoint(PrometheusBuilderExtensions.ManagementEndpointName);
        // Aspire's own ASPNETCORE_URLS leaves out an endpoint named by env; Kestrel must listen on both, loopback only.
        return builder
            .WithEnvironment("ASPNETCORE_URLS", ReferenceExpression.Create(
                $"http://127.0.0.1:{http.Property(EndpointProperty.TargetPort)};http://127.0.0.1:{management.Property(EndpointProperty.TargetPort)}"))
            .WithServiceEnvironment();
    }

    /// <summary>
    /// The environment of a local run's service processes, one-shot jobs included, and how they start: from their
    /// build output (<see cref="ServiceLaunchBuilderExtensions.WithLaunchFromBuildOutput"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceEnvironment(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        var environment = app.Configuration["AppHost:ServiceEnvironment"] ?? "Production";
        return builder
            .WithLaunchFromBuildOutput()
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithEnvironment("Logging__File__Path", Path.Combine(LocalServers.DataDirectory(app), "logs", builder.Resource.Name))
            // The dashboard stops first: a final OTLP export must not hold a stopping service for the default 10 s.
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            // A local run has no mail server: confirmation and reset links go to the service's log in the dashboard.
            .WithEnvironment("Accounts__EmailTransport", "log")
            // And a new user of a local run finds a demo team to look at. Never set in publish mode.
            .WithEnvironment("Seed__DemoData", "true");
    }

    /// <summary>
    /// Starts the service once <paramref name="migrator"/> has logged its last line (<see cref="MigrationDoneLine"/>)
    /// or has finished, whichever comes first; if it fails, the service does not start. The migrator's own exit (its
    /// telemetry flushed) takes 0.05-0.35 s after that line, and DCP reports an exit 0.5 s after it, both on the
    /// stack's critical path when this service is the last to become healthy (bench/README.md, start-up). A migrator
    /// that fails after that line has done its work. Deployed, the service waits for the migrator's completion as
    /// Aspire's <c>WaitForCompletion</c> does.
    /// </summary>
    public static IResourceBuilder<T> WaitForMigration<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithWaitSupport> migrator)
        where T : IResourceWithWaitSupport
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(migrator);
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return builder.WaitForCompletion(migrator);
        }

        builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(builder.Resource, async (@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var done = WaitForLineAsync(@event.Services.GetRequiredService<ResourceLoggerService>(), migrator.Resource, MigrationDoneLine, waiting.Token);
            var finished = notifications.WaitForResourceAsync(migrator.Resource.Name, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), waiting.Token);
            var first = await Task.WhenAny(done, finished);
            await waiting.CancelAsync();
            if (first == finished && await finished is { Snapshot: var snapshot } && (snapshot.State?.Text != KnownResourceStates.Finished || snapshot.ExitCode is not 0))
            {
                throw new DistributedApplicationException(
                    $"{migrator.Resource.Name} ended {snapshot.State?.Text}{(snapshot.ExitCode is int code ? $" with exit code {code}" : "")}; {@event.Resource.Name} waits for its migration and does not start");
            }

            await first; // A cancelled start ends here.
        });
        return builder.WithRelationship(migrator.Resource, "WaitsForMigration");
    }

    /// <summary>The migrator's last line when its work is done (WebApi's <c>MigrationCommand.DoneLine</c>).</summary>
    internal const string MigrationDoneLine = "Migration done: the schema and the data-protection key are in place";

    /// <summary>Completes once any of <paramref name="resource"/>'s console lines contains <paramref name="line"/>.</summary>
    private static async Task WaitForLineAsync(ResourceLoggerService logs, IResource resource, string line, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(cancellationToken))
            {
                if (batch.Any(l => l.Content.Contains(line, StringComparison.Ordinal)))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // The log ended or the wait was called off: never done by this path.
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>
    /// Starts the service beside <paramref name="migrator"/> instead of after it exits: each of its processes holds its
    /// own start until the database has the migrator's work (WebApi's <c>SchemaGate</c>), so the migrator's start and
    /// DCP's half second after its exit are off the stack's critical path (bench/README.md, replicas beside the
    /// migrator). The dashboard shows the dependency as a relationship.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WaitForSchema(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> migrator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(migrator);
        return builder.WithRelationship(migrator.Resource, "WaitsForSchema");
    }
}
