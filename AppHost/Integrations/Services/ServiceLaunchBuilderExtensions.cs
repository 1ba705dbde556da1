using System.Reflection;
using System.Runtime.InteropServices;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>
/// How a local run starts a service project: from the output the AppHost's build left, not through <c>dotnet run</c>.
/// </summary>
public static class ServiceLaunchBuilderExtensions
{
    private const string BuildOutputKeyPrefix = "ServiceBuildOutput:";

    /// <summary>
    /// Runs the project's built executable in the project's folder, as <c>dotnet run --no-build</c> would after its
    /// launcher: Aspire runs a project through <c>dotnet run</c>, which evaluates the project with MSBuild before the
    /// service's first instruction (about 3 s of CPU each, five times a start: a quarter of a start's CPU on 2 cores).
    /// The AppHost's build builds every referenced project first, so the output is the one <c>dotnet run --no-build</c>
    /// would start; a Release build records the project's ReadyToRun publish instead (AppHost.csproj).
    /// Left to Aspire in publish mode (containers), under <c>dotnet watch</c> (hot reload) and in an IDE's debug session,
    /// and when the build output is not where the build said (the project is then started through <c>dotnet run</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLaunchFromBuildOutput(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        if (!app.ExecutionContext.IsRunMode
            || string.Equals(app.Configuration["DOTNET_WATCH"], "1", StringComparison.Ordinal)
            || string.Equals(app.Configuration["DOTNET_WATCH"], "true", StringComparison.OrdinalIgnoreCase)
            || !string.IsNullOrEmpty(app.Configuration["DEBUG_SESSION_PORT"]))
        {
            return builder;
        }

        var projectPath = builder.Resource.GetProjectMetadata().ProjectPath;
        if (BuiltExecutable(projectPath) is not { } executable)
        {
            return builder;
        }

        builder.WithAnnotation(
            new ExecutableAnnotation { Command = executable, WorkingDirectory = Path.GetDirectoryName(projectPath)! },
            ResourceAnnotationMutationBehavior.Replace);

        // The executable finds the runtime the AppHost runs on, wherever that is installed, as dotnet run tells it.
        return DotnetRoot() is { } root ? builder.WithEnvironment("DOTNET_ROOT", root) : builder;
    }

    /// <summary>
    /// The native executable the build produced for <paramref name="projectPath"/> (recorded in this assembly by
    /// AppHost.csproj), or null when the build recorded none or it is not there.
    /// </summary>
    internal static string? BuiltExecutable(string projectPath)
    {
        var key = BuildOutputKeyPrefix + Path.GetFullPath(projectPath);
        var assembly = typeof(ServiceLaunchBuilderExtensions).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => string.Equals(a.Key, key, StringComparison.Ordinal))?.Value;
        if (string.IsNullOrEmpty(assembly))
        {
            return null;
        }

        var executable = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return File.Exists(executable) ? executable : null;
    }

    /// <summary>The installation the AppHost's runtime belongs to: its shared framework's folder, three levels up.</summary>
    private static string? DotnetRoot()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return Directory.Exists(Path.Combine(root, "host", "fxr")) ? root : null;
    }
}
