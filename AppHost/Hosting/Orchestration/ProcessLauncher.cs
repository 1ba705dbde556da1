using System.Diagnostics;

namespace ReadinessAspire.Hosting.Orchestration;

internal static class ProcessLauncher
{
    /// <summary>
    /// Starts a process whose output goes to the sink. setsid makes it a process-group leader, so stopping it
    /// reaches its own children and a Ctrl+C on the terminal reaches only the AppHost, which then stops everything
    /// in order; setpriv drops root for servers that refuse it. Both exec in place: the pid is the server's own.
    /// </summary>
    public static ChildProcess Start(string instance, ProcessSpec spec, OutputSink output)
    {
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (spec.User is { } user && NativeMethods.IsRoot)
        {
            start.ArgumentList.Add("setpriv");
            start.ArgumentList.Add($"--reuid={user.Uid}");
            start.ArgumentList.Add($"--regid={user.Gid}");
            start.ArgumentList.Add("--init-groups");
        }

        start.ArgumentList.Add(spec.FileName);
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The AppHost's own settings and secrets are not the children's business.
        foreach (var key in start.Environment.Keys.Where(IsAppHostOnly).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in spec.Environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new ResourceStartException($"could not start {spec.FileName}: {ex.Message}");
        }

        process.StandardInput.Close();
        output.Write(instance, $"[apphost] started {Path.GetFileName(spec.FileName)} as pid {process.Id}");
        var pumps = Task.WhenAll(
            OutputPump.RunAsync(process.StandardOutput.BaseStream, instance, output),
            OutputPump.RunAsync(process.StandardError.BaseStream, instance, output));
        return new ChildProcess(process, pumps);
    }

    /// <summary>Runs a process to completion (initdb, a config check) and returns its exit code.</summary>
    public static async Task<int> RunToCompletionAsync(string instance, ProcessSpec spec, OutputSink output, CancellationToken cancellationToken)
    {
        using var process = Start(instance, spec, output);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            NativeMethods.SignalGroup(process.Id, NativeMethods.SIGKILL);
            throw;
        }

        return process.ExitCode;
    }

    private static bool IsAppHostOnly(string key) =>
        key.StartsWith("Parameters__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("AppHost__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("services__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);
}
