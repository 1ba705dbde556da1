using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Configuration;
using Microsoft.Extensions.Logging.Console;
using ServiceDefaults.Logging;
using ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

public static class StructuredLoggingExtensions
{
    /// <summary>
    /// JSON lines on the console outside Development (readable text in Development) and, when
    /// <c>Logging:File:Path</c> is set, in rolling files there. Both carry trace ids and mask secrets.
    /// </summary>
    public static TBuilder AddStructuredLogging<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.TryAddSingleton(ServiceIdentity.From(builder.Configuration, builder.Environment));
        builder.Services.TryAddSingleton<JsonLogLineFormatter>();

        // Polly logs every attempt of every HttpClient call, OTLP exports included, at Information: noise in files.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddConsoleFormatter<JsonLinesConsoleFormatter, ConsoleFormatterOptions>();
        if (!builder.Environment.IsDevelopment())
        {
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = JsonLinesConsoleFormatter.FormatterName);
        }

        AccessLog.AddServices(builder.Services);

        if (!string.IsNullOrWhiteSpace(builder.Configuration[RollingFileOptions.PathKey]))
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RollingFileLoggerProvider>());
            LoggerProviderOptions.RegisterProviderOptions<RollingFileOptions, RollingFileLoggerProvider>(builder.Services);
        }

        return builder;
    }
}
