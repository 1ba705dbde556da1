using System.Text.Json.Nodes;

namespace AppHost.Tests;

/// <summary>
/// The AppHost and Backup start with the JIT's second tier held back until no method has run for the first time in 4 s:
/// recompiling hot methods competed with the whole stack's start on 2 cores. WebApi's replicas keep the runtime's
/// default: the delay is re-armed by every new method, and under a varied load it held their optimized code back for
/// minutes (half the uncached reads).
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class JitTieringTests(StackFixture stack)
{
    private const string CallCountingDelay = "System.Runtime.TieredCompilation.CallCountingDelayMs";

    [Fact]
    public async Task Backup_holds_its_second_JIT_tier_back_for_4_seconds_and_the_replicas_keep_the_runtimes_default()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("proxy", timeout.Token);
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("backup", timeout.Token);

        // What the runtime of each process read at its start: the runtimeconfig.json beside the program it runs.
        var services = LinuxProcess.Tree(LinuxProcess.Find(Environment.ProcessId)!)
            .Select(p => ProgramOf(p.Pid))
            .OfType<string>()
            .Where(program => Path.GetFileNameWithoutExtension(program) is "WebApi" or "Backup")
            .ToList();

        Assert.Equal(2, services.Count(p => Path.GetFileNameWithoutExtension(p) == "WebApi"));
        Assert.Single(services, p => Path.GetFileNameWithoutExtension(p) == "Backup");
        Assert.All(services, program => Assert.Equal(
            Path.GetFileNameWithoutExtension(program) == "Backup" ? (int?)4000 : null,
            DelayIn(program)));
    }

    [Fact]
    public void The_built_AppHost_holds_its_second_JIT_tier_back_for_4_seconds() =>
        Assert.Equal(4000, DelayIn(AppHostProcess.AppHostDll));

    /// <summary>The program a process runs: its executable, or the assembly <c>dotnet</c> was given.</summary>
    private static string? ProgramOf(int pid)
    {
        string executable;
        string[] arguments;
        try
        {
            executable = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? string.Empty;
            arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null; // gone since the tree was read
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return Path.GetFileName(executable) == "dotnet"
            ? arguments.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal))
            : executable;
    }

    private static int? DelayIn(string program)
    {
        var runtimeConfig = Path.Combine(Path.GetDirectoryName(program)!, Path.GetFileNameWithoutExtension(program) + ".runtimeconfig.json");
        Assert.True(File.Exists(runtimeConfig), runtimeConfig);
        var properties = JsonNode.Parse(File.ReadAllText(runtimeConfig))!["runtimeOptions"]!["configProperties"];
        return properties?[CallCountingDelay]?.GetValue<int>();
    }
}
