namespace ReadinessAspire.Hosting;

/// <summary>
/// How the AppHost runs, bound from the <c>AppHost</c> configuration section (environment <c>AppHost__DataDirectory</c>, ...).
/// </summary>
public sealed class DistributedApplicationOptions
{
    /// <summary>Where volumes, logs and run state live. Defaults to a directory per AppHost outside the repository.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The JSON file that keeps generated secret parameters. Defaults to the AppHost's user-secrets file.</summary>
    public string? SecretsFile { get; set; }

    /// <summary>Port of the resource API (<c>GET /api/resources</c>) on 127.0.0.1; 0 picks a free one.</summary>
    public int ResourceApiPort { get; set; } = 18888;

    /// <summary>Ignore fixed ports asked for in the model (tests run beside a real run).</summary>
    public bool RandomizePorts { get; set; }

    /// <summary>The environment the services run in: Production unless asked for Development.</summary>
    public string ServiceEnvironment { get; set; } = "Production";

    /// <summary>Echo each resource's output to the console, prefixed with its replica name.</summary>
    public bool ConsoleOutput { get; set; } = true;

    /// <summary>Each replica's output file (<c>logs/&lt;replica&gt;.log</c>) is rolled over before it grows past this.</summary>
    public long OutputFileSizeLimitBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Output files kept per replica, the active one included (<c>.1.log</c> is the newest old one).</summary>
    public int OutputFileCount { get; set; } = 5;

    /// <summary>Print the resource status table when a state changes.</summary>
    public bool StatusTable { get; set; } = true;

    /// <summary>How long all resources get to stop gracefully before they are killed.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Extra <c>name=value</c> server settings for PostgreSQL (tests turn fsync off for throwaway data).</summary>
    public List<string> PostgresSettings { get; } = [];
}
