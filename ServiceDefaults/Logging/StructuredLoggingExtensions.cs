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
    /// JSON lines on standard output outside Development (readable text on the console in Development) and, when
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
        AccessLog.AddServices(builder.Services);
        builder.Services.Configure<RollingFileOptions>(builder.Configuration.GetSection(RollingFileOptions.SectionKey));
        var toStandardOutput = JsonLinesLoggerProvider.WritesToStandardOutput(builder.Environment);
        if (toStandardOutput)
        {
            // The JSON lines take the console's place; readable text stays for people at a terminal in Development.
            foreach (var console in builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList())
            {
                builder.Services.Remove(console);
            }
        }

        if (toStandardOutput || !string.IsNullOrWhiteSpace(builder.Configuration[RollingFileOptions.PathKey]))
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, JsonLinesLoggerProvider>());
        }

        return builder;
    }
}
