namespace ServiceDefaults.Deploy;

public enum DeploySeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>One problem with how a service is configured for deployment. <see cref="Id"/> never changes meaning, so it can be silenced.</summary>
public sealed record DeployFinding(string Id, DeploySeverity Severity, string Message, string Fix)
{
    /// <summary>The finding on one line, as printed by <c>check --deploy</c> and by a refused Production start.</summary>
    public string ToLine() => $"{Id} {Severity.ToString().ToLowerInvariant()}: {Message} Fix: {Fix}";
}
