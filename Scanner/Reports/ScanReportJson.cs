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
    public static ScanReport Deserialize(string json) => Checked(JsonSerializer.Deserialize(json, ReportInfo));

    /// <exception cref="JsonException">The stream is not a scan report.</exception>
    public static async Task<ScanReport> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Checked(await JsonSerializer.DeserializeAsync(stream, ReportInfo, cancellationToken));

    /// <summary>
    /// The serializer fills what the JSON leaves out with null, so other JSON (<c>{}</c>, a SARIF file) reads as a
    /// report of nulls. What a report is read for (its grade and its findings, to compare) must be there.
    /// </summary>
    private static ScanReport Checked(ScanReport? report)
    {
        if (report is null)
        {
            throw new JsonException("The JSON is null, not a scan report.");
        }

        var missing = new List<string>();
        if (report.Target?.Url is null)
        {
            missing.Add("target.url");
        }

        if (report.ProfileGrade?.Letter is not { } letter || Grading.GradeScale.Rank(letter) < 0)
        {
            missing.Add("profileGrade.letter");
        }

        if (report.Observatory is null)
        {
            missing.Add("observatory");
        }

        if (report.Checklist is null)
        {
            missing.Add("checklist");
        }

        if (report.Findings is null || report.Findings.Any(finding => finding?.Id is null))
        {
            missing.Add("findings (each with an id)");
        }

        return missing.Count == 0
            ? report
            : throw new JsonException($"It has no {string.Join(", no ", missing)}.");
    }

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
