using System.Diagnostics;

namespace Backup.Tests;

/// <summary>
/// A stand-in for pg_dump or pg_restore (<see cref="BackupOptions.PgDump"/> names any program): a real process, in a
/// directory of its own, that records what it was started with and then does what the test asks.
/// </summary>
internal sealed class FakeClientProgram : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("backup-fake-client-");

    /// <param name="then">The shell commands it runs after recording its pid and environment.</param>
    public FakeClientProgram(string then)
    {
        Path = System.IO.Path.Combine(_directory.FullName, "client.sh");
        File.WriteAllText(Path, $"""
            #!/bin/sh
            env > "{EnvironmentFile}"
            echo $$ > "{PidFile}.part" && mv "{PidFile}.part" "{PidFile}"
            {then}
            """);
        File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; }

    private string EnvironmentFile => System.IO.Path.Combine(_directory.FullName, "env");

    private string PidFile => System.IO.Path.Combine(_directory.FullName, "pid");

    /// <summary>The environment it was started with.</summary>
    public Dictionary<string, string> Environment() =>
        File.ReadAllLines(EnvironmentFile)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Last()[1], StringComparer.Ordinal);

    /// <summary>Its process id, once it has started.</summary>
    public async Task<int> PidAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(PidFile))
        {
            Assert.True(deadline.Elapsed < timeout, "the program did not start");
            await Task.Delay(50);
        }

        return int.Parse(await File.ReadAllTextAsync(PidFile), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
