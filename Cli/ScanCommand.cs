using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Scanner;
using Scanner.Grading;
using Scanner.Net;
using Scanner.Reports;

namespace Cli;

/// <summary>
/// `readiness scan URL`: the server's checks run here, without the server. The grade it gates on is the profile grade:
/// Observatory's own for --profile web (the default), Observatory's rubric without page-only penalties for --profile api,
/// since an API should not fail a pipeline for lacking a CSP. With --baseline it gates on regressions only (a lower
/// letter or a newly failing finding), so a team can ratchet up from where it stands.
/// </summary>
internal static class ScanCommand
{
    private static readonly string[] Formats = ["text", "json", "sarif", "junit"];

    public static Command Create(CliConsole console)
    {
        var url = new Argument<string>("url") { Description = "The deployment to scan (http:// or https://)." };
        var profile = new Option<string>("--profile") { Description = "web (a page) or api (JSON: page-only tests neutral).", DefaultValueFactory = _ => "web" };
        profile.AcceptOnlyFromAmong("web", "api");
        var httpPort = new Option<int?>("--http-port") { Description = "The plain-HTTP port to test the redirect on (default: 80, or 8080 beside 8443)." };
        var failUnder = new Option<string?>("--fail-under") { Description = "Exit 1 when the grade is under this letter (A+ .. F)." };
        var format = new Option<string>("--format") { Description = "What to print: text, json, sarif or junit.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the chosen format here instead of stdout." };
        var sarif = new Option<FileInfo?>("--sarif") { Description = "Also write SARIF 2.1.0 here (GitHub code scanning)." };
        var junit = new Option<FileInfo?>("--junit") { Description = "Also write JUnit XML here." };
        var baseline = new Option<FileInfo?>("--baseline") { Description = "A previous JSON report: exit 1 only on regressions against it." };
        var warnOnly = new Option<bool>("--warn-only") { Description = "Report, but exit 0 whatever the grade." };
        var allowTarget = new Option<string?>("--allow-target") { Description = "Private or loopback addresses, CIDRs or hosts the scan may reach, comma-separated." };
        var trustRoot = new Option<string?>("--trust-root") { Description = "PEM file(s) of a private CA to trust, comma-separated." };

        var command = new Command("scan", "Scan a deployment and grade it.")
        {
            url, profile, httpPort, failUnder, format, output, sarif, junit, baseline, warnOnly, allowTarget, trustRoot,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var target = new ScanTarget(
                ReadinessCli.ParseHttpUrl(parsed.GetValue(url), "url"),
                parsed.GetValue(profile) == "api" ? ScanProfile.Api : ScanProfile.Web,
                parsed.GetValue(httpPort) is { } port and (< 1 or > 65535) ? throw ReadinessCli.BadInput($"--http-port {port} is not a port") : parsed.GetValue(httpPort));
            var minimum = ReadinessCli.ParseGrade(parsed.GetValue(failUnder));
            var baselineReport = parsed.GetValue(baseline) is { } baselineFile ? await ReadBaselineAsync(baselineFile, cancellationToken) : null;
            var options = new ScannerOptions
            {
                AllowedTargets = parsed.GetValue(allowTarget) ?? "",
                TrustedRootCertificates = parsed.GetValue(trustRoot) ?? "",
            };
            foreach (var path in options.TrustedRootCertificates.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                CheckTrustRoot(path);
            }

            // Before the scan, so a path that cannot be written does not cost one.
            foreach (var (option, file) in new[] { ("--output", parsed.GetValue(output)), ("--sarif", parsed.GetValue(sarif)), ("--junit", parsed.GetValue(junit)) })
            {
                if (file is not null && !Directory.Exists(file.DirectoryName))
                {
                    throw ReadinessCli.BadInput($"{option} \"{file.FullName}\": the directory does not exist");
                }
            }

            // The ports named on the command line are the user's explicit choice.
            options.AllowedPorts = string.Join(',', options.AllowedPorts.Split(',').Concat([$"{target.Url.Port}", $"{target.ResolvedHttpPort}", $"{target.ResolvedHttpsPort}"]).Distinct());

            var report = await ScanAsync(options, target, cancellationToken);
            var chosen = parsed.GetValue(format) ?? "text";
            var machineReadable = chosen != "text" || parsed.GetValue(output) is not null;
            var notes = machineReadable ? console.Error : console.Out;
            if (parsed.GetValue(output) is { } outputFile)
            {
                await WriteFileAsync("--output", outputFile, Render(report, chosen), cancellationToken);
            }
            else
            {
                await console.Out.WriteAsync(Render(report, chosen));
            }

            if (parsed.GetValue(sarif) is { } sarifFile)
            {
                await WriteFileAsync("--sarif", sarifFile, SarifReport.Render(report), cancellationToken);
            }

            if (parsed.GetValue(junit) is { } junitFile)
            {
                await WriteFileAsync("--junit", junitFile, JUnitReport.Render(report), cancellationToken);
            }

            var exitCode = Decide(report, minimum, baselineReport, out var verdict);
            if (baselineReport is not null)
            {
                await notes.WriteAsync(TextReport.Render(ScanComparison.Compare(baselineReport, report)));
            }

            await notes.WriteLineAsync(verdict);
            if (exitCode != ExitCodes.Passed && parsed.GetValue(warnOnly))
            {
                await notes.WriteLineAsync("--warn-only: exiting 0.");
                return ExitCodes.Passed;
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>The exit code and the sentence that explains it.</summary>
    internal static int Decide(ScanReport report, string? minimum, ScanReport? baseline, out string verdict)
    {
        var grade = report.ProfileGrade.Letter;
        if (baseline is not null)
        {
            var comparison = ScanComparison.Compare(baseline, report);
            verdict = comparison.HasRegressions
                ? $"FAILED: {grade} regresses against the baseline ({comparison.BaselineGrade}, {comparison.NewlyFailing.Count} newly failing)."
                : $"PASSED: no regression against the baseline ({comparison.BaselineGrade} → {grade}).";
            return comparison.HasRegressions ? ExitCodes.Failed : ExitCodes.Passed;
        }

        if (minimum is null)
        {
            verdict = $"Grade {grade} (no --fail-under).";
            return ExitCodes.Passed;
        }

        var meets = GradeScale.Meets(grade, minimum);
        verdict = meets ? $"PASSED: {grade} meets {minimum}." : $"FAILED: {grade} is under {minimum}.";
        return meets ? ExitCodes.Passed : ExitCodes.Failed;
    }

    internal static string Render(ScanReport report, string format) => format switch
    {
        "json" => ScanReportJson.Serialize(report) + "\n",
        "sarif" => SarifReport.Render(report) + "\n",
        "junit" => JUnitReport.Render(report),
        _ => TextReport.Render(report),
    };

    private static async Task<ScanReport> ReadBaselineAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw ReadinessCli.BadInput($"--baseline \"{file.FullName}\" does not exist");
        }

        try
        {
            await using var stream = file.OpenRead();
            return await ScanReportJson.ReadAsync(stream, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw ReadinessCli.BadInput($"--baseline \"{file.FullName}\" is not a JSON scan report: {exception.Message}");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw ReadinessCli.BadInput($"--baseline \"{file.FullName}\" cannot be read: {exception.Message}");
        }
    }

    /// <summary>A root the scan will trust: a readable file that holds at least one PEM certificate.</summary>
    private static void CheckTrustRoot(string path)
    {
        if (!File.Exists(path))
        {
            throw ReadinessCli.BadInput($"--trust-root \"{path}\" does not exist");
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw ReadinessCli.BadInput($"--trust-root \"{path}\" cannot be read as PEM: {exception.Message}");
        }

        if (roots.Count == 0)
        {
            throw ReadinessCli.BadInput($"--trust-root \"{path}\" holds no PEM certificate");
        }
    }

    private static async Task<ScanReport> ScanAsync(ScannerOptions options, ScanTarget target, CancellationToken cancellationToken)
    {
        using var client = new SiteClient(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ScanTimeout);
        try
        {
            return await new SiteScanner(client, TimeProvider.System).ScanAsync(target, timeout.Token);
        }
        catch (TargetRefusedException exception)
        {
            throw new CliException(ExitCodes.Error, $"refused to scan {target.Url}: {exception.Message}");
        }
        catch (ScanFailedException exception)
        {
            throw new CliException(ExitCodes.Error, $"scan of {target.Url} failed: {exception.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Error, $"scan of {target.Url} took longer than {options.ScanTimeout.TotalSeconds:0} s");
        }
    }

    private static async Task WriteFileAsync(string option, FileInfo file, string text, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllTextAsync(file.FullName, text, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Error, $"{option} \"{file.FullName}\" could not be written: {exception.Message}");
        }
    }
}
