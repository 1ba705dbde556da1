using Cronos;
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
        builder.Services.AddOptions<ScanOptions>()
            .Bind(builder.Configuration.GetSection(ScanOptions.Section))
            .Validate(o => o.WorkerConcurrency >= 0, "Scans:WorkerConcurrency must be 0 or more.")
            .Validate(o => o.Lease > TimeSpan.Zero, "Scans:Lease must be positive.")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Scans:PollInterval must be positive.")
            .Validate(o => o.StartDelay >= TimeSpan.Zero && o.StartDelay <= TimeSpan.FromHours(1), "Scans:StartDelay must be between 0 and 1 hour.")
            .Validate(o => o.SelfScanRetryWindow >= TimeSpan.Zero && o.SelfScanRetryWindow <= TimeSpan.FromDays(1), "Scans:SelfScanRetryWindow must be between 0 and 1 day.")
            .Validate(o => o.MaxAttempts >= 1, "Scans:MaxAttempts must be at least 1.")
            .Validate(o => o.RetentionDays is >= 1 and <= 3650, "Scans:RetentionDays must be from 1 to 3650.")
            .Validate(o => o.PerUserPerMinute >= 0, "Scans:PerUserPerMinute must be 0 or more.")
            .Validate(o => CronExpression.TryParse(o.RescanSchedule, out _), "Scans:RescanSchedule must be a cron expression (5 fields, UTC).")
            .Validate(o => CronExpression.TryParse(o.SelfScanSchedule, out _), "Scans:SelfScanSchedule must be a cron expression (5 fields, UTC).")
            .ValidateOnStart();
        builder.Services.Configure<ScannerOptions>(builder.Configuration.GetSection(ScannerOptions.Section));
        builder.Services.AddSingleton<ISiteClient>(services => new SiteClient(services.GetRequiredService<IOptions<ScannerOptions>>().Value));
        builder.Services.AddSingleton<SiteScanner>();
        builder.Services.AddSingleton<ScanQueue>();
        builder.Services.AddSingleton<ScanResults>();
        builder.Services.AddSingleton<ScanMetrics>();
        builder.Services.AddSingleton<SelfScanTarget>();
        builder.Services.AddSingleton<ServiceDefaults.Deploy.IDeployCheck, ScanDeployCheck>();
        builder.Services.AddHostedService<ScanWorker>();
        builder.Services.AddHostedService<ScanScheduler>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(ScanMetrics.MeterName));

        return builder;
    }
}
