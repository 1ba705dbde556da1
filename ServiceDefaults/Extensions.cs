using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ServiceDefaults.Management;
using ServiceDefaults.Overload;
using ServiceDefaults.Shutdown;
using ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting defaults every service of the stack shares: telemetry, health checks,
/// service discovery, resilient HTTP clients, problem-details error responses and load shedding.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.AddStructuredLogging();
        builder.ConfigureOpenTelemetry();
        ManagementEndpoints.AddManagementServices(builder.Services, builder.Configuration);
        builder.AddDefaultHealthChecks();
        builder.AddDefaultProblemDetails();
        builder.AddDefaultSecurity();
        // On SIGTERM: the connection drain, then Kestrel stops accepting and finishes what is in flight, all within
        // Shutdown:Timeout, and the process exits 0. Before load shedding, so that its answers close connections too.
        ConnectionDrain.AddServices(builder.Services);
        OverloadProtection.AddServices(builder.Services);

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                // On .NET 9+ this is the runtime's own meter, process CPU time and working set included.
                .AddRuntimeInstrumentation()
                .AddMeter(ProcessUptime.Meter)
                .AddNpgsqlInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = TraceFilter.ShouldTrace)
                .AddHttpClientInstrumentation()
                .AddNpgsql());

        builder.AddOpenTelemetryExporters();

        return builder;
    }

    private static void AddOpenTelemetryExporters<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // Export only when an orchestrator or operator names a collector; otherwise telemetry stays in-process.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Before the exporters, so they are given the masked record. Only here: a log processor makes the SDK
            // build a record for every log call, which is wasted work when nothing is exported.
            builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(new RedactingLogProcessor()));
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
    }
}
