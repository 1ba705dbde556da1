using System.Text.Json;
using System.Xml.Linq;
using NJsonSchema;
using Scanner.Checks;
using Scanner.Reports;
using Scanner.Tests.Checks;
using Scanner.Tests.Grading;

namespace Scanner.Tests.Reports;

public sealed class ReportTests
{
    [Fact]
    public void Json_round_trips_a_report()
    {
        var report = Sample.Report();
        var json = ScanReportJson.Serialize(report);
        var back = ScanReportJson.Deserialize(json);
        Assert.Equal(json, ScanReportJson.Serialize(back));
        Assert.Equal(report.Target, back.Target);
        Assert.Equal(report.Duration, back.Duration);
        Assert.Equal(report.Findings, back.Findings);
        Assert.Equal(report.Tls!.Protocol, back.Tls!.Protocol);
        Assert.Equal(report.Checklist.Items.Select(item => item.ItemId), back.Checklist.Items.Select(item => item.ItemId));
    }

    [Fact]
    public void Json_is_camel_case_with_enums_as_strings_and_no_derived_failures()
    {
        using var document = JsonDocument.Parse(ScanReportJson.Serialize(Sample.Report(profile: ScanProfile.Api)));
        var root = document.RootElement;
        Assert.Equal("Api", root.GetProperty("target").GetProperty("profile").GetString());
        Assert.Equal("High", root.GetProperty("findings")[1].GetProperty("severity").GetString());
        Assert.Equal("Tls13", root.GetProperty("tls").GetProperty("protocol").GetString());
        Assert.Equal("B+", root.GetProperty("profileGrade").GetProperty("letter").GetString());
        Assert.False(root.TryGetProperty("failures", out _));
    }

    [Fact]
    public async Task Sarif_validates_against_the_oasis_2_1_0_schema()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "Schemas", "sarif-schema-2.1.0.json"));
        var sarif = SarifReport.Render(Sample.Report());
        var errors = schema.Validate(sarif);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(error => $"{error.Path}: {error.Kind}")));
    }

    [Fact]
    public void Sarif_has_a_rule_per_finding_and_a_result_per_failure_at_the_target()
    {
        using var document = JsonDocument.Parse(SarifReport.Render(Sample.Report()));
        var run = document.RootElement.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules");
        Assert.Equal(5, rules.GetArrayLength());
        Assert.Equal("SEC-04", rules[0].GetProperty("properties").GetProperty("checklistItem").GetString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        var git = results.Single(result => result.GetProperty("ruleId").GetString() == "exposed-git");
        Assert.Equal("error", git.GetProperty("level").GetString());
        Assert.Equal("https://example.test/",
            git.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("note", results.Single(result => result.GetProperty("ruleId").GetString() == "server-version").GetProperty("level").GetString());
        Assert.Equal("B+", run.GetProperty("properties").GetProperty("profileGrade").GetString());
    }

    [Fact]
    public void Junit_has_a_testcase_per_finding_and_a_failure_per_failing_one()
    {
        var xml = JUnitReport.Render(Sample.Report());
        var document = XDocument.Parse(xml);
        var suite = Assert.Single(document.Root!.Elements("testsuite"));
        Assert.Equal("5", suite.Attribute("tests")!.Value);
        Assert.Equal("4", suite.Attribute("failures")!.Value);
        Assert.Equal(5, suite.Elements("testcase").Count());
        var failures = suite.Elements("testcase").Elements("failure").ToList();
        Assert.Equal(4, failures.Count);
        var git = failures.Single(failure => failure.Parent!.Attribute("name")!.Value.StartsWith("exposed-git", StringComparison.Ordinal));
        Assert.Contains("Fix: Deny /.git", git.Value, StringComparison.Ordinal);
        Assert.Contains("ref: refs/heads/main", git.Attribute("message")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Junit_holds_evidence_with_characters_xml_cannot()
    {
        // bench/fuzz (headers) found it: a site's Content-Type with a control character, which HttpClient passes through,
        // quoted as evidence, made XLinq throw and `readiness scan --format junit` fail.
        var compression = CachingChecks.Compression(Build.Response(headers: ("Content-Type", "text\u0015:security@ailto.teain")));
        var findings = new[]
        {
            compression,
            FindingCatalogue.ServerVersion.Fail("Server: nginx\u0001/1.25.3\0 \uD800 \uD83D\uDE00 \uFFFF"),
        };

        var document = XDocument.Parse(JUnitReport.Render(Sample.Report(findings: findings)));

        var testCases = document.Root!.Element("testsuite")!.Elements("testcase").ToList();
        Assert.Contains("text\uFFFD:security@ailto.teain", testCases[0].Value, StringComparison.Ordinal);
        var failure = testCases[1].Element("failure")!;
        Assert.Equal("Server: nginx\uFFFD/1.25.3\uFFFD \uFFFD \uD83D\uDE00 \uFFFD", failure.Attribute("message")!.Value);
    }

    [Fact]
    public void Text_shows_the_grade_its_working_and_failures_by_severity_with_fixes()
    {
        var text = TextReport.Render(Sample.Report());
        Assert.Contains("Observatory grade: B+ (score 80, 80 before bonuses; test rubric)", text, StringComparison.Ordinal);
        Assert.Contains(" -20  content-security-policy: content-security-policy-bad", text, StringComparison.Ordinal);
        Assert.Contains("Checklist: 1 of 4 items pass (failing: SEC-01, SEC-06, WEB-03)", text, StringComparison.Ordinal);
        var critical = text.IndexOf("  Critical", StringComparison.Ordinal);
        var low = text.IndexOf("  Low", StringComparison.Ordinal);
        Assert.InRange(critical, 0, low);
        Assert.Contains("fix:  Stop announcing the version", text, StringComparison.Ordinal);
    }
}
