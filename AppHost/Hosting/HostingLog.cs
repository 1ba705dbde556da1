using Microsoft.Extensions.Logging;

namespace ReadinessAspire.Hosting;

/// <summary>The AppHost's own log messages, source-generated so that disabled levels cost nothing.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Data directory: {DataDirectory}")]
    public static partial void DataDirectory(this ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resource API: {Url}/api/resources")]
    public static partial void ResourceApi(this ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created database {Database} on {Server}.")]
    public static partial void DatabaseCreated(this ILogger logger, string database, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping {Instance} (pid {Pid}), left running by a previous AppHost that did not shut down.")]
    public static partial void StoppingLeftover(this ILogger logger, string instance, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance} exited with code {ExitCode}; restarting in {BackoffMilliseconds} ms.")]
    public static partial void Restarting(this ILogger logger, string instance, int exitCode, double backoffMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} failed to start: {Reason}")]
    public static partial void FailedToStart(this ILogger logger, string resource, string reason, Exception? unexpected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} (pid {Pid}) did not stop within {GraceSeconds} s; killing it.")]
    public static partial void KillingAfterGrace(this ILogger logger, string resource, int pid, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource}: the access log could not be rolled over: {Reason}")]
    public static partial void AccessLogNotRolled(this ILogger logger, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTPS uses a local certificate authority. Trust it once: sudo cp {CaCertificate} /usr/local/share/ca-certificates/readinessaspire.crt && sudo update-ca-certificates (browsers: import it as an authority)")]
    public static partial void TrustLocalCa(this ILogger logger, string caCertificate);
}
