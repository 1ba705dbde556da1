using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Scanner.Reports;

/// <summary>
/// A <see cref="ScanReport"/> as JSON (camelCase, enums as strings) and back: the CLI's --baseline reads it,
/// WebApi stores it in PostgreSQL jsonb. Derived members (<see cref="ScanReport.Failures"/>) are left out.
/// </summary>
public static class ScanReportJson
{
    public static JsonSerializerOptions Options { get; } = new(ScanReportJsonContext.Default.Options)
    {
        TypeInfoResolver = ScanReportJsonContext.Default.WithAddedModifier(LeaveOutDerivedMembers),
    };

    private static JsonTypeInfo<ScanReport> ReportInfo => (JsonTypeInfo<ScanReport>)Options.GetTypeInfo(typeof(ScanReport));

    public static string Serialize(ScanReport report) => JsonSerializer.Serialize(report, ReportInfo);

    public static Task WriteAsync(ScanReport report, Stream stream, CancellationToken cancellationToken = default) =>
        JsonSerializer.SerializeAsync(stream, report, ReportInfo, cancellationToken);

    /// <exception cref="JsonException">The text is not a scan report.</exception>
    public static ScanReport Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ReportInfo) ?? throw new JsonException("The JSON is null, not a scan report.");

    /// <exception cref="JsonException">The stream is not a scan report.</exception>
    public static async Task<ScanReport> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        await JsonSerializer.DeserializeAsync(stream, ReportInfo, cancellationToken)
            ?? throw new JsonException("The JSON is null, not a scan report.");

    private static void LeaveOutDerivedMembers(JsonTypeInfo info)
    {
        if (info.Type == typeof(ScanReport))
        {
            var failures = info.Properties.Single(property => property.Name == "failures");
            info.Properties.Remove(failures);
        }
    }
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ScanReport))]
internal sealed partial class ScanReportJsonContext : JsonSerializerContext;
