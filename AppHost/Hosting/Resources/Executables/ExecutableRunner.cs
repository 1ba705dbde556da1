using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

internal sealed class ExecutableRunner(ExecutableResource executable, RunnerContext context) : ProcessResourceRunner(executable, context)
{
    protected override int StopSignal => executable.StopSignal;

    public override IEnumerable<string> MissingPrerequisites()
    {
        if (ResolveCommand() is null)
        {
            yield return executable.Package is null
                ? $"{executable.Name}: '{executable.Command}' not found on PATH"
                : $"{executable.Name}: '{executable.Command}' not found; install it: apt-get install -y {executable.Package}";
        }
    }

    protected override async Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        new(
            ResolveCommand()!,
            await EnvironmentResolver.ResolveArgsAsync(executable, cancellationToken),
            await EnvironmentResolver.ResolveAsync(executable, Context.ExecutionContext, instance, cancellationToken),
            executable.WorkingDirectory);

    protected override async Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken)
    {
        if (executable.Annotation<HttpHealthCheckAnnotation>() is { } check && instance.Ports.TryGetValue(check.EndpointName, out var port))
        {
            return await HealthProbes.HttpAsync($"http://127.0.0.1:{port}{check.Path}", cancellationToken);
        }

        return instance.Ports.Count > 0 ? await HealthProbes.TcpAsync(instance.Ports.Values.First(), cancellationToken) : null;
    }

    private string? ResolveCommand() =>
        Path.IsPathRooted(executable.Command)
            ? File.Exists(executable.Command) ? executable.Command : null
            : (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
                .Split(':')
                .Append("/usr/sbin")
                .Select(directory => Path.Combine(directory, executable.Command))
                .FirstOrDefault(File.Exists);
}
