using System.Diagnostics;
using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>The services' own production audit (<c>check --deploy</c>), run from the dashboard against what the AppHost gives them.</summary>
public static class DeployCheckBuilderExtensions
{
    /// <summary>The command's name, for <c>ResourceCommandService</c> and the dashboard.</summary>
    public const string CommandName = "check-deploy";

    /// <summary>
    /// Adds a "Check deploy" command: it runs the project's <c>check --deploy</c> with the environment DCP gave that
    /// replica (connection strings, hosts, proxies, ports), and answers with the findings, one line each with its fix.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDeployCheck(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        var project = builder.Resource;
        return builder.WithCommand(CommandName, "Check deploy", context => RunAsync(project, context), new CommandOptions
        {
            Description = "Audit this replica's effective production configuration (check --deploy)",
            IconName = "ShieldCheckmark",
            UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });
    }

    private static async Task<ExecuteCommandResult> RunAsync(ProjectResource project, ExecuteCommandContext context)
    {
        var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
        if (!notifications.TryGetCurrentState(context.ResourceName, out var current) || current.Snapshot.EnvironmentVariables.IsDefaultOrEmpty)
        {
            return CommandResults.Failure($"{context.ResourceName} has no environment yet: start it first");
        }

        // The services are built with the AppHost, in the same configuration.
        var configuration = typeof(DeployCheckBuilderExtensions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "run", "--project", project.GetProjectMetadata().ProjectPath, "--no-build", "--no-launch-profile" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(configuration))
        {
            start.ArgumentList.Add("--configuration");
            start.ArgumentList.Add(configuration);
        }

        foreach (var argument in (string[])["--", "check", "--deploy"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in current.Snapshot.EnvironmentVariables.Where(v => v.IsFromSpec && v.Value is not null))
        {
            start.Environment[variable.Name] = variable.Value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(context.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(context.CancellationToken);
        await process.WaitForExitAsync(context.CancellationToken);
        var report = (await output + await errors).Trim();
        return process.ExitCode == 0
            ? CommandResults.Success($"{context.ResourceName}: no error findings", report, CommandResultFormat.Text)
            : CommandResults.Failure($"{context.ResourceName}: check --deploy found errors (exit code {process.ExitCode})", report, CommandResultFormat.Text);
    }
}
