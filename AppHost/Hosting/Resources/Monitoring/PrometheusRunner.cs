using System.Globalization;
using System.Text;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

/// <summary>
/// Writes prometheus.yml from the model (one job per target resource, one target per replica, labelled with the
/// replica's name), checks it and the rules with promtool, then runs Prometheus on 127.0.0.1.
/// </summary>
internal sealed class PrometheusRunner(PrometheusResource prometheus, RunnerContext context) : ProcessResourceRunner(prometheus, context)
{
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private const string PromtoolBinary = "/usr/bin/promtool";

    private string RunDirectory => Path.Combine(Context.DataDirectory, "run", prometheus.Name);

    private string ConfigFile => Path.Combine(RunDirectory, "prometheus.yml");

    public override IEnumerable<string> MissingPrerequisites()
    {
        if (!File.Exists(PrometheusBinary) || !File.Exists(PromtoolBinary))
        {
            yield return $"{prometheus.Name}: Prometheus not found at {PrometheusBinary}; install it: apt-get install -y prometheus";
        }

        foreach (var rules in prometheus.RuleFiles.Where(f => !File.Exists(f)))
        {
            yield return $"{prometheus.Name}: rule file {rules} does not exist";
        }
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(RunDirectory);
        await File.WriteAllTextAsync(ConfigFile, RenderConfig(), cancellationToken);
        var check = new ProcessSpec(PromtoolBinary, ["check", "config", ConfigFile], new Dictionary<string, string>(), RunDirectory);
        if (await ProcessLauncher.RunToCompletionAsync($"{prometheus.Name}-check", check, Context.Output, cancellationToken) != 0)
        {
            throw new ResourceStartException($"promtool rejected {ConfigFile}; see {Context.Output.LogFile($"{prometheus.Name}-check")}");
        }
    }

    protected override Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        Task.FromResult(new ProcessSpec(
            PrometheusBinary,
            [
                $"--config.file={ConfigFile}",
                $"--storage.tsdb.path={Path.Combine(RunDirectory, "data")}",
                $"--web.listen-address=127.0.0.1:{instance.Ports["http"]}",
                "--storage.tsdb.retention.time=1d",
                "--web.enable-lifecycle",
            ],
            new Dictionary<string, string>(),
            RunDirectory));

    protected override async Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        await HealthProbes.HttpAsync($"http://127.0.0.1:{instance.Ports["http"]}/-/ready", cancellationToken);

    internal string RenderConfig()
    {
        var interval = $"{(int)prometheus.ScrapeInterval.TotalSeconds}s";
        var yaml = new StringBuilder()
            .AppendLine("# Written by the AppHost from the model; regenerated at every start.")
            .AppendLine("global:")
            .AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {interval}")
            .AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {interval}")
            .AppendLine("rule_files:");
        foreach (var rules in prometheus.RuleFiles)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - '{rules}'");
        }

        yaml.AppendLine("scrape_configs:");
        foreach (var (resource, endpointName, metricsPath) in prometheus.ScrapeTargets)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: '{resource.Name}'")
                .AppendLine(CultureInfo.InvariantCulture, $"    metrics_path: '{metricsPath}'")
                .AppendLine("    static_configs:");
            for (var replica = 0; replica < resource.Replicas(); replica++)
            {
                var endpoint = new EndpointReference(resource, endpointName, replica).Allocated;
                var instance = Context.Notifications.Instance(resource.Name, replica).Name;
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{endpoint.Host}:{endpoint.Port}']")
                    .AppendLine(CultureInfo.InvariantCulture, $"        labels: {{ replica: '{instance}' }}");
            }
        }

        return yaml.ToString();
    }
}
