using System.Text.RegularExpressions;
using Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ReadinessAspire.Testing;
using Scanner.Reports;
using Scanner.Tests.Grading;

namespace Scanner.Tests.Cli;

public sealed class CliTests
{
    private static async Task<(int ExitCode, string Out, string Error)> Run(string[] args, string? token = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, name => name == "READINESS_TOKEN" ? token : null);
        var exitCode = await ReadinessCli.RunAsync(args, console, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("scan", "not-a-url")]
    [InlineData("scan", "ftp://example.test/")]
    [InlineData("scan", "https://example.test/", "--fail-under", "Z")]
    [InlineData("scan", "https://example.test/", "--format", "xml")]
    [InlineData("scan", "https://example.test/", "--profile", "desktop")]
    [InlineData("scan", "https://example.test/", "--http-port", "eighty")]
    [InlineData("scan", "https://example.test/", "--http-port", "70000")]
    [InlineData("scan", "https://example.test/", "--baseline", "/nonexistent/baseline.json")]
    [InlineData("scan", "https://example.test/", "--trust-root", "/nonexistent/ca.pem")]
    [InlineData("scan", "https://example.test/", "--output", "/nonexistent/report.json")]
    [InlineData("scan", "https://example.test/", "--sarif", "/nonexistent/scan.sarif")]
    [InlineData("scan", "https://example.test/", "--junit", "/nonexistent/scan.xml")]
    [InlineData("scan")]
    [InlineData("frobnicate")]
    [InlineData("gate", "--server", "https://readiness.test", "--service", "shop", "--env", "production")]
    [InlineData("gate", "--server", "readiness.test", "--service", "shop", "--env", "production", "--token", "t")]
    [InlineData("gate", "--server", "https://readiness.test", "--service", "shop", "--env", "production", "--token", "t", "--fail-under", "Q")]
    [InlineData("gate", "--service", "shop", "--env", "production", "--token", "t")]
    public async Task Bad_input_exits_2_with_one_line_on_stderr(params string[] args)
    {
        var (exitCode, _, error) = await Run(args);
        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("readiness: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_grade_names_the_grade()
    {
        var (_, _, error) = await Run(["scan", "https://example.test/", "--fail-under", "Z"]);
        Assert.Contains("unknown grade \"Z\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("scan", "https://USERINFO@example.test/")]
    [InlineData("gate", "--server", "https://USERINFO@readiness.test", "--service", "shop", "--env", "production", "--token", "t")]
    public async Task A_url_with_a_password_is_bad_input_that_does_not_print_the_password(params string[] args)
    {
        // Put in here: written whole in a URL, the repository's own secret scan (secretlint) would refuse this file.
        var (exitCode, output, error) = await Run([.. args.Select(arg => arg.Replace("USERINFO", "ops:" + "hunter2", StringComparison.Ordinal))]);
        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("user name or password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baseline_that_is_not_a_report_is_bad_input()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "{ not json");
            var (exitCode, _, error) = await Run(["scan", "https://example.test/", "--baseline", path]);
            Assert.Equal(ExitCodes.BadInput, exitCode);
            Assert.Contains("is not a JSON scan report", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "version": "2.1.0", "runs": [] }""")]
    [InlineData("""{ "target": { "url": "https://example.test/" }, "profileGrade": { "letter": "Z" }, "findings": [] }""")]
    public async Task A_baseline_that_is_json_but_not_a_scan_report_is_bad_input_before_any_scan(string json)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, json);
            // Nothing listens there: a scan would fail with exit 3, not 2.
            var (exitCode, output, error) = await Run(["scan", $"http://127.0.0.1:{FreeLoopbackPorts.One()}/", "--allow-target", "127.0.0.1", "--baseline", path]);
            Assert.Equal(ExitCodes.BadInput, exitCode);
            Assert.Empty(output);
            Assert.Matches("^readiness: --baseline \".+\" is not a JSON scan report: It has no [^\n]+\n$", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_trust_root_that_holds_no_pem_certificate_is_bad_input_naming_the_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, [0x30, 0x82, 0x01, 0x0a]);
            var (exitCode, _, error) = await Run(["scan", "https://example.test/", "--trust-root", path]);
            Assert.Equal(ExitCodes.BadInput, exitCode);
            Assert.Equal($"readiness: --trust-root \"{path}\" holds no PEM certificate\n", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_report_file_that_cannot_be_written_after_the_scan_exits_3_with_one_line()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var site = builder.Build();
        site.MapGet("/", () => "a plain page");
        await site.StartAsync();
        var url = site.Urls.First() + "/";
        var directory = Directory.CreateTempSubdirectory("cli-sarif-");
        try
        {
            // The path is a directory: it exists, so the check before the scan passes, and the write fails.
            var (exitCode, output, error) = await Run(["scan", url, "--allow-target", "127.0.0.1", "--sarif", directory.FullName]);
            Assert.Equal(ExitCodes.Error, exitCode);
            Assert.StartsWith($"Scan of {url} ", output, StringComparison.Ordinal);
            Assert.Matches($"^readiness: --sarif \"{Regex.Escape(directory.FullName)}\" could not be written: [^\n]+\n$", error);
        }
        finally
        {
            directory.Delete();
        }
    }

    [Theory]
    [InlineData("B+", "B", ExitCodes.Passed)]
    [InlineData("B+", "B+", ExitCodes.Passed)]
    [InlineData("B+", "A-", ExitCodes.Failed)]
    [InlineData("B+", null, ExitCodes.Passed)]
    public void Exit_code_follows_the_profile_grade_against_fail_under(string letter, string? minimum, int expected) =>
        Assert.Equal(expected, ScanCommand.Decide(Sample.Report(letter: letter), minimum, null, out _));

    [Fact]
    public void With_a_baseline_only_regressions_fail()
    {
        var baseline = Sample.Report(score: 80, letter: "B+");
        Assert.Equal(ExitCodes.Passed, ScanCommand.Decide(Sample.Report(score: 80, letter: "B+"), "A", baseline, out _));
        Assert.Equal(ExitCodes.Failed, ScanCommand.Decide(Sample.Report(score: 70, letter: "B"), null, baseline, out var verdict));
        Assert.StartsWith("FAILED", verdict, StringComparison.Ordinal);
        var fewerFailures = Sample.Report(score: 80, letter: "B+", findings: [Scanner.Checks.FindingCatalogue.HstsMaxAge.Pass("ok")]);
        var newFailure = Sample.Report(score: 80, letter: "B+", findings: [Scanner.Checks.FindingCatalogue.HstsMaxAge.Fail("max-age=0")]);
        Assert.Equal(ExitCodes.Failed, ScanCommand.Decide(newFailure, null, fewerFailures, out _));
    }

    [Fact]
    public void Every_format_renders()
    {
        var report = Sample.Report();
        Assert.StartsWith("Scan of https://example.test/", ScanCommand.Render(report, "text"), StringComparison.Ordinal);
        Assert.Equal(ScanReportJson.Serialize(report) + "\n", ScanCommand.Render(report, "json"));
        Assert.Contains("\"version\": \"2.1.0\"", ScanCommand.Render(report, "sarif"), StringComparison.Ordinal);
        Assert.StartsWith("<?xml", ScanCommand.Render(report, "junit"), StringComparison.Ordinal);
    }

    /// <summary>A real gate endpoint on loopback that answers by the service's name.</summary>
    private static async Task<WebApplication> StartGateAsync(List<string> seen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/api/gate", (HttpContext context, string service, string environment) =>
        {
            seen.Add($"{context.Request.QueryString} {context.Request.Headers.Authorization}");
            if (context.Request.Headers.Authorization != "Bearer secret")
            {
                return Results.Problem(title: "Unauthorized", detail: "The token is not valid.", statusCode: 401);
            }

            if (service == "missing")
            {
                return Results.Problem(title: "Not Found", detail: "No service 'missing'.", statusCode: 404);
            }

            var passed = service == "good";
            return Results.Json(new
            {
                service,
                environment,
                passed,
                reasons = passed ? Array.Empty<string>() : ["Scan grade C is under A."],
                review = new { score = 91.5, threshold = 80, tier = "gold", passed = true },
                scan = new { grade = passed ? "A" : "C", score = passed ? 90 : 50, scannedAt = "2026-11-01T12:00:00Z", passed },
            });
        });
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task Gate_exits_0_when_passed_1_when_not_and_3_on_401_and_404()
    {
        var seen = new List<string>();
        await using var app = await StartGateAsync(seen);
        var server = app.Urls.First();

        var passed = await Run(["gate", "--server", server, "--service", "good", "--env", "production", "--fail-under", "A+"], token: "secret");
        Assert.Equal(ExitCodes.Passed, passed.ExitCode);
        Assert.Contains("PASSED: good in production", passed.Out, StringComparison.Ordinal);
        Assert.Contains("?service=good&environment=production&minimumGrade=A%2B Bearer secret", seen[0], StringComparison.Ordinal);

        var failed = await Run(["gate", "--server", server, "--service", "bad", "--env", "production", "--token", "secret"]);
        Assert.Equal(ExitCodes.Failed, failed.ExitCode);
        Assert.Contains("  - Scan grade C is under A.", failed.Out, StringComparison.Ordinal);

        var unauthorized = await Run(["gate", "--server", server, "--service", "good", "--env", "production", "--token", "wrong"]);
        Assert.Equal(ExitCodes.Error, unauthorized.ExitCode);
        Assert.Contains("401 Unauthorized: Unauthorized: The token is not valid.", unauthorized.Error, StringComparison.Ordinal);

        var missing = await Run(["gate", "--server", server, "--service", "missing", "--env", "production", "--token", "secret"]);
        Assert.Equal(ExitCodes.Error, missing.ExitCode);
        Assert.Contains("No service 'missing'.", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_exits_3_when_the_server_is_unreachable()
    {
        // A loopback port free a moment ago, outside the range the kernel hands out: nothing listens there.
        var port = FreeLoopbackPorts.One();
        var (exitCode, _, error) = await Run(["gate", "--server", $"http://127.0.0.1:{port}", "--service", "s", "--env", "e", "--token", "t"]);
        Assert.Equal(ExitCodes.Error, exitCode);
        Assert.Contains("could not reach", error, StringComparison.Ordinal);
    }
}
