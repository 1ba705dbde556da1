using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Cli;
using NJsonSchema;
using Scanner.Tests.Sites;
using static Scanner.Tests.EndToEnd.ReferenceSiteExpectations;

namespace Scanner.Tests.EndToEnd;

/// <summary>`readiness scan` in-process against the hardened and the weak nginx site, as a pipeline would run it.</summary>
public sealed class CliEndToEndTests(HardenedSiteFixture hardened, WeakSiteFixture weak)
    : IClassFixture<HardenedSiteFixture>, IClassFixture<WeakSiteFixture>, IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("scanner-cli-e2e-");

    public void Dispose() => folder.Delete(recursive: true);

    private static async Task<(int ExitCode, string Out, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, _ => null);
        var exitCode = await ReadinessCli.RunAsync(args, console, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>`scan` of a test site: its https URL, its plain-HTTP port, loopback allowed and the test CA trusted.</summary>
    private static string[] Scan(NginxSite site, params string[] more) =>
    [
        "scan", site.HttpsUrl.ToString(),
        "--http-port", site.HttpPort.ToString(CultureInfo.InvariantCulture),
        "--allow-target", "127.0.0.1,::1,localhost",
        "--trust-root", NginxSite.CaCertificatePath,
        .. more,
    ];

    private string PathOf(string name) => Path.Combine(folder.FullName, name);

    [Fact]
    public async Task The_hardened_site_meets_A()
    {
        var (exitCode, output, error) = await Run(Scan(hardened.Site, "--fail-under", "A"));

        Assert.True(exitCode == ExitCodes.Passed, error);
        Assert.Contains($"PASSED: {ExpectedObservatory.Grade(HardenedObservatory).Letter} meets A.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_weak_site_fails_B_unless_warn_only()
    {
        var failed = await Run(Scan(weak.Site, "--fail-under", "B"));
        var warned = await Run(Scan(weak.Site, "--fail-under", "B", "--warn-only"));

        Assert.True(failed.ExitCode == ExitCodes.Failed, failed.Error);
        Assert.Contains($"FAILED: {ExpectedObservatory.Grade(WeakObservatory).Letter} is under B.", failed.Out, StringComparison.Ordinal);
        Assert.True(warned.ExitCode == ExitCodes.Passed, warned.Error);
        Assert.Contains("--warn-only: exiting 0.", warned.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baseline_of_the_weak_site_passes_again_and_fails_once_a_failing_finding_had_passed()
    {
        var baseline = PathOf("weak-baseline.json");
        var first = await Run(Scan(weak.Site, "--format", "json", "--output", baseline));
        Assert.True(first.ExitCode == ExitCodes.Passed, first.Error);

        var again = await Run(Scan(weak.Site, "--baseline", baseline));
        Assert.True(again.ExitCode == ExitCodes.Passed, again.Error + again.Out);
        Assert.Contains("PASSED: no regression against the baseline (F → F).", again.Out, StringComparison.Ordinal);

        // The same baseline, except that /.git/ was not served back then: serving it now is a regression.
        var report = JsonNode.Parse(await File.ReadAllTextAsync(baseline))!;
        var git = report["findings"]!.AsArray().Single(finding => (string?)finding!["id"] == "exposed-git")!;
        Assert.False((bool)git["passed"]!);
        git["passed"] = true;
        var modified = PathOf("weak-baseline-git-fixed.json");
        await File.WriteAllTextAsync(modified, report.ToJsonString());

        var regressed = await Run(Scan(weak.Site, "--baseline", modified));
        Assert.True(regressed.ExitCode == ExitCodes.Failed, regressed.Error + regressed.Out);
        Assert.Contains("FAILED: F regresses against the baseline (F, 1 newly failing).", regressed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_address_is_refused_with_exit_3_and_one_line()
    {
        // 10.0.0.1 is private and not allowed: refused before any connection.
        var (exitCode, output, error) = await Run("scan", "https://10.0.0.1/", "--fail-under", "A");

        Assert.Equal(ExitCodes.Error, exitCode);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("readiness: refused to scan https://10.0.0.1/: ", line, StringComparison.Ordinal);
        Assert.Contains("10.0.0.1", line["readiness: refused to scan https://10.0.0.1/: ".Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sarif_and_junit_of_a_weak_scan_have_one_result_and_one_failure_per_failing_finding()
    {
        var json = PathOf("weak.json");
        var sarif = PathOf("weak.sarif");
        var junit = PathOf("weak.junit.xml");
        var (exitCode, _, error) = await Run(Scan(weak.Site, "--format", "json", "--output", json, "--sarif", sarif, "--junit", junit));
        Assert.True(exitCode == ExitCodes.Passed, error);

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var failing = report.RootElement.GetProperty("findings").EnumerateArray()
            .Where(finding => !finding.GetProperty("passed").GetBoolean())
            .Select(finding => finding.GetProperty("id").GetString()!)
            .Order(StringComparer.Ordinal)
            .ToList();
        // The failures derived for the weak site (31 of its 39 findings).
        Assert.Equal(WeakFindings.Where(pair => !pair.Value).Select(pair => pair.Key).Order(StringComparer.Ordinal), failing);
        Assert.Equal(31, failing.Count);

        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "Schemas", "sarif-schema-2.1.0.json"));
        var sarifText = await File.ReadAllTextAsync(sarif);
        var errors = schema.Validate(sarifText);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(problem => $"{problem.Path}: {problem.Kind}")));
        using var sarifDocument = JsonDocument.Parse(sarifText);
        var results = sarifDocument.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(result => result.GetProperty("ruleId").GetString()!)
            .Order(StringComparer.Ordinal);
        Assert.Equal(failing, results);

        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal(failing.Count, (int)suite.Attribute("failures")!);
        Assert.Equal(WeakFindings.Count, (int)suite.Attribute("tests")!);
        Assert.Equal(failing.Count, suite.Elements("testcase").Count(testCase => testCase.Element("failure") is not null));
    }
}
