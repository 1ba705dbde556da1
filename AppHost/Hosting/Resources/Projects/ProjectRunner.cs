using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

/// <summary>Runs a project's built assembly with <c>dotnet</c>, one process per replica, with Aspire's environment conventions.</summary>
internal sealed class ProjectRunner(ProjectResource project, RunnerContext context) : ProcessResourceRunner(project, context)
{
    public override IEnumerable<string> MissingPrerequisites()
    {
        if (!File.Exists(project.Metadata.TargetPath))
        {
            yield return $"{project.Name}: {project.Metadata.TargetPath} is not built; run: dotnet build {Path.GetFileName(project.Metadata.ProjectPath)}";
        }
    }

    protected override async Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = Context.Options.ServiceEnvironment,
            ["DOTNET_ENVIRONMENT"] = Context.Options.ServiceEnvironment,
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance.Name}",
            ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "false",
            // ServiceDefaults writes rolling JSON log files named by the replica's instance id here.
            ["Logging__File__Path"] = Path.Combine(Context.DataDirectory, "logs", project.Name),
        };
        if (!IsOneShot && instance.Ports.TryGetValue("http", out var port))
        {
            environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            if (instance.Ports.TryGetValue(ProjectResourceBuilderExtensions.ManagementEndpointName, out var managementPort))
            {
                environment["ASPNETCORE_URLS"] += $";http://127.0.0.1:{managementPort}";
                environment["Management__Port"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        foreach (var (key, value) in await EnvironmentResolver.ResolveAsync(project, Context.ExecutionContext, instance, cancellationToken))
        {
            environment[key] = value;
        }

        var arguments = new List<string> { project.Metadata.TargetPath };
        arguments.AddRange(await EnvironmentResolver.ResolveArgsAsync(project, cancellationToken));
        return new ProcessSpec("dotnet", arguments, environment, Path.GetDirectoryName(project.Metadata.ProjectPath)!);
    }

    protected override async Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken)
    {
        if (project.Annotation<HttpHealthCheckAnnotation>() is { } check && instance.Ports.TryGetValue(check.EndpointName, out var port))
        {
            return await HealthProbes.HttpAsync($"http://127.0.0.1:{port}{check.Path}", cancellationToken);
        }

        return instance.Ports.TryGetValue("http", out var httpPort) ? await HealthProbes.TcpAsync(httpPort, cancellationToken) : null;
    }
}
