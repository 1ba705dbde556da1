namespace Backup;

public static class BackupExtensions
{
    public static IHostApplicationBuilder AddBackups(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BackupOptions>()
            .Bind(builder.Configuration.GetSection(BackupOptions.SectionName))
            .Validate(options => options.Keep >= 1, "Backups:Keep must be at least 1.")
            .Validate(options => Cronos.CronExpression.TryParse(options.Schedule, out _), "Backups:Schedule must be a cron expression (5 fields, UTC).")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PostgresTools>();
        builder.Services.AddSingleton<BackupStore>();
        builder.Services.AddSingleton<BackupMetrics>();
        builder.Services.AddSingleton<BackupJob>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(BackupMetrics.MeterName));
        return builder;
    }

    /// <summary>The scheduled worker: only when the process runs as the service, not for a one-shot command.</summary>
    public static IHostApplicationBuilder AddBackupWorker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<BackupWorker>();
        return builder;
    }
}
