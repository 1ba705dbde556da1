using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Deploy;
using WebApi.Caching;
using WebApi.Data;

namespace WebApi.Tests.Security;

/// <summary>Builds (never runs) a service configured like WebApi and returns its deploy audit.</summary>
internal static class AuditedService
{
    public static async Task<DeployReport> AuditAsync(
        IReadOnlyDictionary<string, string> environmentVariables,
        string environmentName = "Production",
        Action<WebApplicationBuilder>? customize = null,
        string? contentRoot = null,
        bool keyStore = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environmentName,
            ContentRootPath = contentRoot ?? AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(
            environmentVariables.Select(setting => KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), (string?)setting.Value)));
        builder.AddServiceDefaults();
        builder.Services.AddRequiredSecrets(
            RequiredSecret.ConnectionString(DatabaseExtensions.ConnectionName),
            RequiredSecret.ConnectionString(CacheExtensions.ConnectionName));
        if (keyStore)
        {
            builder.AddDataProtectionKeyStore();
        }

        customize?.Invoke(builder);

        await using var app = builder.Build();
        return app.Services.GetRequiredService<DeployAudit>().Run();
    }

    public static Dictionary<string, string> With(this Dictionary<string, string> settings, string key, string value)
    {
        settings[key] = value;
        return settings;
    }

    public static IEnumerable<string> Ids(this DeployReport report) => report.Findings.Select(finding => finding.Id);
}
