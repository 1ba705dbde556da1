using System.Globalization;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>
/// Prometheus for the local run: the production monitoring path beside the dashboard's OTLP view. Every replica of a
/// project is scraped on its own management port (ServiceDefaults serves /metrics there, never on the public port);
/// when a replica starts again on another port, its target file changes and Prometheus follows.
/// Not published: a deployment uses its platform's managed Prometheus.
/// </summary>
public static class PrometheusBuilderExtensions
{
    /// <summary>The endpoint where ServiceDefaults serves /metrics and /health/details in every project.</summary>
    public const string ManagementEndpointName = "management";

    private static readonly SemaphoreSlim s_targetFiles = new(1, 1);

    /// <summary>Adds Prometheus on 127.0.0.1:<paramref name="port"/>, healthy at /-/ready.</summary>
    public static IResourceBuilder<PrometheusResource> AddPrometheus(this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddResource(new PrometheusResource(name, builder.AppHostDirectory)).ExcludeFromManifest();
        }

        var runDirectory = Path.Combine(LocalServers.DataDirectory(builder), "run", name);
        var prometheus = new PrometheusResource(name, runDirectory);
        var configFile = Path.Combine(runDirectory, "prometheus.yml");
        // Subscribed before the endpoint is added: the port stays held until this handler is done.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus, async (@event, cancellationToken) =>
        {
            LocalServers.RequireFile(prometheus.Command, "prometheus");
            foreach (var rules in prometheus.RuleFiles.Where(f => !File.Exists(f)))
            {
                throw new DistributedApplicationException($"{prometheus.Name}: rule file {rules} does not exist");
            }

            // Prometheus does not wait for the replicas: a project's file may list none of them yet, and the watch
            // (WithScrapeTarget) writes it again as each reports its port; Prometheus follows the file (file_sd).
            var replicas = @event.Services.GetRequiredService<ReplicaWatcher>();
            foreach (var (target, endpointName) in prometheus.ScrapeTargets)
            {
                await WriteTargetsAsync(runDirectory, target, () => Targets(replicas, target, endpointName), cancellationToken);
            }

            await File.WriteAllTextAsync(configFile, RenderConfig(prometheus, runDirectory), cancellationToken);
            // promtool checks the rule files the configuration names too.
            if (await LocalServers.CheckAsync("/usr/bin/promtool", ["check", "config", configFile], cancellationToken) is { } rejection)
            {
                throw new DistributedApplicationException($"{prometheus.Name}: promtool rejected {configFile} or its rules: {rejection}");
            }
        });

        return builder.AddResource(prometheus)
            .WithLocalEndpoint(PrometheusResource.PrimaryEndpointName, "http", port)
            .WithArgs(context =>
            {
                context.Args.Add($"--config.file={configFile}");
                context.Args.Add($"--storage.tsdb.path={Path.Combine(runDirectory, "data")}");
                context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{prometheus.GetEndpoint(PrometheusResource.PrimaryEndpointName).Property(EndpointProperty.Port)}"));
                context.Args.Add("--storage.tsdb.retention.time=1d");
                // No --web.enable-lifecycle: nothing here reloads it (targets come from files it re-reads), and its
                // unauthenticated POST /-/quit would let any local process or page stop every alert.
            })
            .WithHttpHealthCheck("/-/ready", endpointName: PrometheusResource.PrimaryEndpointName)
            .WithIconName("ChartMultiple")
            .ExcludeFromManifest();
    }

    /// <summary>Alert and recording rules, relative to the AppHost project; promtool checks them before start.</summary>
    public static IResourceBuilder<PrometheusResource> WithAlertRules(this IResourceBuilder<PrometheusResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.RuleFiles.Add(Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory));
        return builder;
    }

    /// <summary>Scrapes every replica of a project on its management endpoint, or an exporter on its metrics endpoint.</summary>
    public static IResourceBuilder<PrometheusResource> WithScrapeTarget<T>(this IResourceBuilder<PrometheusResource> builder, IResourceBuilder<T> target)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(target);
        var prometheus = builder.Resource;
        var endpointName = target.Resource is ProjectResource ? ManagementEndpointName : PrometheusExporterResource.MetricsEndpointName;
        prometheus.ScrapeTargets.Add((target.Resource, endpointName));
        builder.WithReferenceRelationship(target.Resource);
        if (target.Resource is ProjectResource && !builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            // Prometheus re-reads the file whenever it runs: written is followed.
            ReplicaBuilderExtensions.WatchReplicaPorts(builder.ApplicationBuilder, target.Resource, endpointName, prometheus, async (replicas, cancellationToken) =>
            {
                await WriteTargetsAsync(prometheus.WorkingDirectory, target.Resource, () => Targets(replicas, target.Resource, endpointName), cancellationToken);
                return true;
            });
        }

        return builder;
    }

    /// <summary>Each replica's own port (a project) or the single endpoint's (an exporter), with the replica's name as a label.</summary>
    private static IReadOnlyList<ReplicaPort> Targets(ReplicaWatcher replicas, IResourceWithEndpoints target, string endpointName) =>
        target is ProjectResource
            ? replicas.CurrentPorts(target, endpointName)
            : [new(target.Name, target.GetEndpoint(endpointName).Port)];

    /// <summary>
    /// A file_sd target file: Prometheus re-reads it when it changes, with no restart or reload. One writer at a time,
    /// the targets read under the lock: the write before Prometheus starts and a replica's first port can come together,
    /// and the older list must not land last (nor two writers share the file's ".next").
    /// </summary>
    private static async Task WriteTargetsAsync(string runDirectory, IResource target, Func<IReadOnlyList<ReplicaPort>> targets, CancellationToken cancellationToken)
    {
        await s_targetFiles.WaitAsync(cancellationToken);
        try
        {
            var groups = targets().Select(r => new Dictionary<string, object>
            {
                ["targets"] = new[] { $"127.0.0.1:{r.Port.ToString(CultureInfo.InvariantCulture)}" },
                ["labels"] = new Dictionary<string, string> { ["replica"] = r.ReplicaName },
            });
            var file = TargetsFile(runDirectory, target);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await LocalServers.ReplaceFileAsync(file, JsonSerializer.Serialize(groups), cancellationToken);
        }
        finally
        {
            s_targetFiles.Release();
        }
    }

    private static string TargetsFile(string runDirectory, IResource target) => Path.Combine(runDirectory, "targets", $"{target.Name}.json");

    internal static string RenderConfig(PrometheusResource prometheus, string runDirectory)
    {
        var interval = $"{(int)prometheus.ScrapeInterval.TotalSeconds}s";
        var yaml = new StringBuilder()
            .AppendLine("# Written by the AppHost from the model at every start.")
            .AppendLine("global:")
            .AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {interval}")
            .AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {interval}")
            .AppendLine("rule_files:");
        foreach (var rules in prometheus.RuleFiles)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - '{rules}'");
        }

        yaml.AppendLine("scrape_configs:");
        foreach (var (resource, _) in prometheus.ScrapeTargets)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: '{resource.Name}'")
                .AppendLine("    metrics_path: '/metrics'")
                .AppendLine("    file_sd_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - files: ['{TargetsFile(runDirectory, resource)}']")
                .AppendLine("        refresh_interval: 5s");
        }

        return yaml.ToString();
    }
}
