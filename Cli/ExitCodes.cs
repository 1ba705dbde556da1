namespace Cli;

/// <summary>What a pipeline reads from `readiness`.</summary>
public static class ExitCodes
{
    /// <summary>The grade meets the bar (or no regression against the baseline, or --warn-only).</summary>
    public const int Passed = 0;

    /// <summary>The grade is under the bar, a regression against the baseline, or the server's gate said no.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: an unknown option or grade, not a URL, a missing token, an unreadable baseline.</summary>
    public const int BadInput = 2;

    /// <summary>The scan failed or was refused, or the server could not be reached or refused the request.</summary>
    public const int Error = 3;
}

/// <summary>Where the CLI writes and what it reads from the environment; tests pass their own.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, Func<string, string?> GetEnvironmentVariable)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, Environment.GetEnvironmentVariable);
}

/// <summary>A one-line message for stderr and the exit code it ends with.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
