using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults.Deploy;

/// <summary>
/// <c>check --deploy [--format json]</c>: prints the deploy audit of the effective configuration and exits 1 when it
/// finds an error, 0 otherwise. The same audit runs before a Production start, which error findings refuse.
/// </summary>
public static partial class DeployCommand
{
    private static readonly JsonTypeInfo<DeployReport> s_json = (JsonTypeInfo<DeployReport>)new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Read by people and scripts, never embedded in HTML: no need to escape '+' or quotes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter<DeploySeverity>(JsonNamingPolicy.CamelCase) },
        // Without reflection, so that a service compiled ahead of time (Native AOT) prints it too.
        TypeInfoResolver = DeployReportJson.Default,
    }.GetTypeInfo(typeof(DeployReport));

    public static bool IsRequested(string[] args) => args is ["check", "--deploy", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);

        var report = services.GetRequiredService<DeployAudit>().Run();
        await output.WriteLineAsync(WantsJson(args) ? JsonSerializer.Serialize(report, s_json) : FormatText(report));
        return report.HasErrors ? 1 : 0;
    }

    /// <summary>
    /// Outside Production, always true. In Production, writes one line per error finding to stderr and returns false
    /// when there is any, so the caller exits before serving.
    /// </summary>
    public static async Task<bool> AllowsStartAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        if (!app.Environment.IsProduction())
        {
            return true;
        }

        var report = app.Services.GetRequiredService<DeployAudit>().Run();
        if (report.HasErrors)
        {
            foreach (var error in report.Errors)
            {
                await Console.Error.WriteLineAsync(error.ToLine());
            }

            return false;
        }

        foreach (var finding in report.Findings)
        {
            LogFinding(app.Logger, finding.ToLine());
        }

        return true;
    }

    private static bool WantsJson(string[] args) =>
        args.Contains("--format=json", StringComparer.OrdinalIgnoreCase)
        || args.Zip(args.Skip(1)).Any(pair => pair is ("--format", var format) && format.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static string FormatText(DeployReport report)
    {
        var lines = report.Findings.Select(finding => finding.ToLine()).ToList();
        var counts = $"{Count(report, DeploySeverity.Error)} error(s), {Count(report, DeploySeverity.Warning)} warning(s), {Count(report, DeploySeverity.Info)} info";
        var silenced = report.Silenced.Count == 0 ? string.Empty : $"; silenced: {string.Join(", ", report.Silenced)}";
        lines.Add($"check --deploy ({report.Environment}): {counts}{silenced}");
        return string.Join(Environment.NewLine, lines);
    }

    private static int Count(DeployReport report, DeploySeverity severity) => report.Findings.Count(finding => finding.Severity == severity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deploy audit: {Finding}")]
    private static partial void LogFinding(ILogger logger, string finding);
}

[JsonSerializable(typeof(DeployReport))]
internal sealed partial class DeployReportJson : JsonSerializerContext;
