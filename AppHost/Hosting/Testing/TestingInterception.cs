namespace ReadinessAspire.Hosting.Testing;

/// <summary>
/// Lets a test run an AppHost's own entry point and take its builder just before <c>Build()</c>, as
/// Aspire.Hosting.Testing does: the model stays the one in the AppHost's Program.cs.
/// </summary>
internal static class TestingInterception
{
    private static readonly AsyncLocal<Interception?> s_current = new();

    public static bool IsActive => s_current.Value is not null;

    public static IDistributedApplicationBuilder CreateBuilder(string[] args) => s_current.Value is { } interception
        ? new DistributedApplicationBuilder(args, interception.AppHostAssembly, interception.Configure)
        : new DistributedApplicationBuilder(args, System.Reflection.Assembly.GetEntryAssembly() ?? typeof(DistributedApplication).Assembly);

    public static void OnBuilding(DistributedApplicationBuilder builder)
    {
        if (s_current.Value is { } interception && !interception.Captured.Task.IsCompleted)
        {
            interception.Captured.SetResult(builder);
            throw new EntryPointStoppedException();
        }
    }

    /// <summary>Runs the entry point until its builder is about to build, and returns that builder.</summary>
    public static async Task<DistributedApplicationBuilder> CaptureAsync(System.Reflection.MethodInfo entryPoint, string[] args, Action<DistributedApplicationBuilder> configure, CancellationToken cancellationToken)
    {
        var interception = new Interception(entryPoint.DeclaringType!.Assembly, configure);
        var run = Task.Run(
            () =>
            {
                s_current.Value = interception;
                try
                {
                    entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [args]);
                    interception.Captured.TrySetException(new InvalidOperationException("The AppHost's entry point returned without calling Build()."));
                }
                catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is EntryPointStoppedException)
                {
                }
                catch (System.Reflection.TargetInvocationException ex)
                {
                    interception.Captured.TrySetException(ex.InnerException ?? ex);
                }
            },
            cancellationToken);
        var builder = await interception.Captured.Task.WaitAsync(cancellationToken);
        await run;
        return builder;
    }

    private sealed class Interception(System.Reflection.Assembly appHostAssembly, Action<DistributedApplicationBuilder> configure)
    {
        public System.Reflection.Assembly AppHostAssembly { get; } = appHostAssembly;

        public Action<DistributedApplicationBuilder> Configure { get; } = configure;

        public TaskCompletionSource<DistributedApplicationBuilder> Captured { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class EntryPointStoppedException : Exception;
}
