using System.Text.Json;
using System.Text.Json.Nodes;
using Scanner.Checks;

namespace Scanner.Reports;

/// <summary>
/// SARIF 2.1.0 for GitHub code scanning: one rule per finding id, one result per failing finding located at the target URL,
/// the grades in the run's properties.
/// </summary>
public static class SarifReport
{
    public const string SchemaUri = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    public const string ToolName = "readiness";
    public const string InformationUri = "https://github.com/readinessaspire";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Render(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rules = report.Findings.DistinctBy(finding => finding.Id).ToList();
        var ruleIndex = rules.Select((finding, index) => (finding.Id, index)).ToDictionary(pair => pair.Id, pair => pair.index, StringComparer.Ordinal);
        var sarif = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = ToolName,
                        ["informationUri"] = InformationUri,
                        ["rules"] = new JsonArray([.. rules.Select(Rule)]),
                    },
                },
                ["invocations"] = new JsonArray(new JsonObject
                {
                    ["executionSuccessful"] = true,
                    ["startTimeUtc"] = report.StartedAt.UtcDateTime.ToString("O"),
                    ["endTimeUtc"] = (report.StartedAt + report.Duration).UtcDateTime.ToString("O"),
                }),
                ["results"] = new JsonArray([.. report.Failures.Select(finding => Result(finding, ruleIndex[finding.Id], report.Target.Url))]),
                ["properties"] = new JsonObject
                {
                    ["target"] = report.Target.Url.ToString(),
                    ["profile"] = report.Target.Profile.ToString(),
                    ["observatoryGrade"] = report.Observatory.Grade.Letter,
                    ["observatoryScore"] = report.Observatory.Grade.Score,
                    ["profileGrade"] = report.ProfileGrade.Letter,
                    ["profileScore"] = report.ProfileGrade.Score,
                    ["checklistPassed"] = report.Checklist.Passed,
                    ["checklistTotal"] = report.Checklist.Total,
                },
            }),
        };
        return sarif.ToJsonString(Indented);
    }

    /// <summary>note for Info and Low, warning for Medium, error for High and Critical.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Info or Severity.Low => "note",
        Severity.Medium => "warning",
        _ => "error",
    };

    private static JsonObject Rule(Finding finding)
    {
        var definition = FindingCatalogue.Find(finding.Id);
        var fix = definition?.Fix ?? finding.Fix;
        return new JsonObject
        {
            ["id"] = finding.Id,
            ["name"] = finding.Id,
            ["shortDescription"] = new JsonObject { ["text"] = finding.Title },
            ["help"] = new JsonObject { ["text"] = fix.Length > 0 ? fix : finding.Title },
            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(definition?.Severity ?? finding.Severity) },
            ["properties"] = new JsonObject
            {
                ["checklistItem"] = finding.ChecklistItem,
                ["severity"] = (definition?.Severity ?? finding.Severity).ToString(),
                ["tags"] = new JsonArray("security", finding.ChecklistItem),
            },
        };
    }

    private static JsonObject Result(Finding finding, int ruleIndex, Uri target) => new JsonObject
    {
        ["ruleId"] = finding.Id,
        ["ruleIndex"] = ruleIndex,
        ["level"] = Level(finding.Severity),
        ["message"] = new JsonObject { ["text"] = $"{finding.Title}: {finding.Evidence}" },
        ["locations"] = new JsonArray(new JsonObject
        {
            ["physicalLocation"] = new JsonObject
            {
                ["artifactLocation"] = new JsonObject { ["uri"] = target.ToString() },
            },
        }),
        ["partialFingerprints"] = new JsonObject { ["findingId/v1"] = $"{target.Host}:{finding.Id}" },
        ["properties"] = new JsonObject
        {
            ["checklistItem"] = finding.ChecklistItem,
            ["severity"] = finding.Severity.ToString(),
            ["evidence"] = finding.Evidence,
        },
    };
}
