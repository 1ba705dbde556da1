using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Scanner;
using Scanner.Net;

namespace WebApi.Scans;

public static class ScanExtensions
{
    public static IHostApplicationBuilder AddScans(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ScanOptions>(builder.Configuration.GetSection(ScanOptions.Section));
        builder.Services.Configure<ScannerOptions>(builder.Configuration.GetSection(ScannerOptions.Section));
        builder.Services.AddSingleton<ISiteClient>(services => new SiteClient(services.GetRequiredService<IOptions<ScannerOptions>>().Value));
        builder.Services.AddSingleton<SiteScanner>();
        builder.Services.AddSingleton<ScanQueue>();
        builder.Services.AddSingleton<ScanResults>();
        builder.Services.AddSingleton<ScanMetrics>();
        builder.Services.AddSingleton<SelfScanTarget>();
        builder.Services.AddHostedService<ScanWorker>();
        builder.Services.AddHostedService<ScanScheduler>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(ScanMetrics.MeterName));

        return builder;
    }
}
