using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WebApi.Scans;

namespace WebApi.Tests.Scans;

/// <summary>A scan setting the workers or the scheduler cannot run with stops the start, naming the setting.</summary>
public sealed class ScanOptionsTests
{
    [Theory]
    [InlineData("StartDelay", "-00:00:01")]
    [InlineData("StartDelay", "1.00:00:00")]
    [InlineData("PollInterval", "00:00:00")]
    [InlineData("Lease", "-00:01:00")]
    [InlineData("WorkerConcurrency", "-1")]
    [InlineData("MaxAttempts", "0")]
    [InlineData("SelfScanRetryWindow", "-00:00:01")]
    [InlineData("PerUserPerMinute", "-5")]
    [InlineData("RetentionDays", "0")]
    [InlineData("RetentionDays", "3651")]
    [InlineData("RescanSchedule", "every six hours")]
    [InlineData("SelfScanSchedule", "*/30 * *")]
    public void A_setting_out_of_range_is_refused_with_its_name(string setting, string value)
    {
        using var host = Build(("Scans:" + setting, value));

        var refused = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ScanOptions>>().Value);

        Assert.Contains("Scans:" + setting + " must", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_hold_the_first_scan_15_seconds_and_a_zero_delay_is_allowed()
    {
        using (var defaults = Build())
        {
            Assert.Equal(TimeSpan.FromSeconds(15), defaults.Services.GetRequiredService<IOptions<ScanOptions>>().Value.StartDelay);
        }

        using var immediate = Build(("Scans:StartDelay", "00:00:00"));
        Assert.Equal(TimeSpan.Zero, immediate.Services.GetRequiredService<IOptions<ScanOptions>>().Value.StartDelay);
    }

    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.AddScans();
        return builder.Build();
    }
}
