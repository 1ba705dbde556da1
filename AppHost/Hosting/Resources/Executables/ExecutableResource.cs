using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

/// <summary>Any program run as a local process (a server from the machine's packages).</summary>
public class ExecutableResource(string name, string command, string workingDirectory) : Resource(name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    public string Command { get; } = command;

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Where the package that provides <see cref="Command"/> is named in the missing-server error.</summary>
    public string? Package { get; init; }

    /// <summary>The signal that asks the program to stop gracefully.</summary>
    public int StopSignal { get; init; } = 15;
}

public static class ExecutableResourceBuilderExtensions
{
    public static IResourceBuilder<ExecutableResource> AddExecutable(this IDistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args) =>
        builder.AddResource(new ExecutableResource(name, command, Path.GetFullPath(workingDirectory, builder.AppHostDirectory))).WithArgs(args);
}
