namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>How to start one replica: the program, its arguments, environment and directory, and whose it is.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory)
{
    /// <summary>Run as this user when the AppHost is root (servers that refuse root).</summary>
    public UnixUser? User { get; init; }
}
