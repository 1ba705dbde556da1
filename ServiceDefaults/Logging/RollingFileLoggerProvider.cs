using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Logging;

/// <summary>JSON lines to a rolling file; configured under <c>Logging:File</c>, the provider's alias.</summary>
[ProviderAlias("File")]
internal sealed class RollingFileLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly JsonLogLineFormatter formatter;
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public RollingFileLoggerProvider(
        IOptions<RollingFileOptions> options, IHostEnvironment environment, ServiceIdentity service, JsonLogLineFormatter formatter)
    {
        var settings = options.Value;
        var directory = Path.GetFullPath(settings.Path ?? throw new InvalidOperationException($"{RollingFileOptions.PathKey} is not set."), environment.ContentRootPath);
        // One set of files per replica, even if replicas are given the same directory.
        var name = string.Join('_', service.InstanceId.Split(Path.GetInvalidFileNameChars()));

        this.formatter = formatter;
        Sink = new RollingFileSink(directory, name, settings.FileSizeLimitBytes, settings.RetainedFileCountLimit);
    }

    public RollingFileSink Sink { get; }

    public ILogger CreateLogger(string categoryName) => new RollingFileLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose() => Sink.Dispose();

    private sealed class RollingFileLogger(string category, RollingFileLoggerProvider provider) : ILogger
    {
        // Levels are filtered by the logger factory's rules (Logging:File:LogLevel), before this is asked.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider.scopes.Push(state);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
                provider.Sink.Enqueue(provider.formatter.FormatLine(entry, provider.scopes));
            }
        }
    }
}
