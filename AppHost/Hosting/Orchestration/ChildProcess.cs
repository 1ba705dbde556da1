using System.Diagnostics;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>A started resource process and the copying of its stdout and stderr to the output sink.</summary>
internal sealed class ChildProcess(Process process, Task output) : IDisposable
{
    // A daemonized grandchild can hold the pipes open after the process itself is gone; its output is not worth a hang.
    private static readonly TimeSpan s_outputDrainLimit = TimeSpan.FromSeconds(2);

    public int Id => process.Id;

    public int ExitCode => process.ExitCode;

    public bool HasExited
    {
        get
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Waits for the process to exit and then for what it printed last to reach the sink.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        await Task.WhenAny(output, Task.Delay(s_outputDrainLimit, cancellationToken));
    }

    public void Dispose() => process.Dispose();
}
