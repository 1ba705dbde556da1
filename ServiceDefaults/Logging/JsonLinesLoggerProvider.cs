using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Logging;

/// <summary>
/// Formats each entry once as a JSON line and writes it to standard output (outside Development, where people read
/// text) and to the rolling file (when <c>Logging:File:Path</c> is set). Its levels are set under its alias,
/// <c>Logging:JsonLines:LogLevel</c>, or for every provider under <c>Logging:LogLevel</c>.
/// </summary>
[ProviderAlias("JsonLines")]
internal sealed class JsonLinesLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly JsonLogLineFormatter formatter;
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public JsonLinesLoggerProvider(
        IOptions<RollingFileOptions> options, IHostEnvironment environment, ServiceIdentity service, JsonLogLineFormatter formatter)
    {
        this.formatter = formatter;
        if (WritesToStandardOutput(environment))
        {
            Sinks.Add(new StandardOutputSink(Console.OpenStandardOutput()));
        }

        if (options.Value.Path is { Length: > 0 } path)
        {
            // One set of files per replica, even if replicas are given the same directory.
            var name = string.Join('_', service.InstanceId.Split(Path.GetInvalidFileNameChars()));
            Sinks.Add(new RollingFileSink(Path.GetFullPath(path, environment.ContentRootPath), name, options.Value.FileSizeLimitBytes, options.Value.RetainedFileCountLimit));
        }
    }

    private List<BackgroundLineWriter> Sinks { get; } = [];

    public static bool WritesToStandardOutput(IHostEnvironment environment) => !environment.IsDevelopment();

    public ILogger CreateLogger(string categoryName) => new JsonLinesLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
        foreach (var sink in Sinks)
        {
            sink.Dispose();
        }
    }

    private sealed class JsonLinesLogger(string category, JsonLinesLoggerProvider provider) : ILogger
    {
        // Levels are filtered by the logger factory's rules before this is asked.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider.scopes.Push(state);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = provider.formatter.FormatLine(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider.scopes);
            foreach (var sink in provider.Sinks)
            {
                sink.Enqueue(line);
            }
        }
    }
}
