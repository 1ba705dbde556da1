using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Scanner.Tests.Sites;

namespace Scanner.Tests.Oracle;

/// <summary>One of the ten tests as MDN's Observatory reported it.</summary>
public sealed record OracleTest(string Name, string Result, int ScoreModifier, bool Pass);

/// <summary>MDN's Observatory's verdict on a site (observatory-scan.mjs's output).</summary>
public sealed record OracleScan(IReadOnlyList<OracleTest> Tests, int Score, string Grade, int StatusCode);

/// <summary>
/// Runs the real MDN HTTP Observatory 1.4.8 (npm, pinned by this folder's package-lock.json, installed by
/// <c>.ci/install</c> with <c>npm ci --ignore-scripts</c>) against a test site through <c>observatory-scan.mjs</c>,
/// with the test CA as Node's extra trust anchor. A missing node or node_modules fails the test, never skips it.
/// </summary>
public static class ObservatoryOracle
{
    public const string PinnedVersion = "1.4.8";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>tests/Scanner.Tests/Oracle in the source tree (the csproj writes it into the assembly).</summary>
    public static string Folder { get; } = typeof(ObservatoryOracle).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "ObservatoryOracleFolder").Value!;

    /// <summary>Fails with what to run when the oracle is not installed (CI installs it; a developer runs .ci/install).</summary>
    public static void AssertInstalled()
    {
        var package = Path.Combine(Folder, "node_modules", "@mdn", "mdn-http-observatory", "package.json");
        if (!File.Exists(package))
        {
            Assert.Fail($"MDN HTTP Observatory is not installed: {package} is missing. Run `bash .ci/install` " +
                $"(or `npm ci --ignore-scripts` in {Folder}); the agreement tests need it and do not skip.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(package));
        var version = document.RootElement.GetProperty("version").GetString();
        Assert.True(version == PinnedVersion, $"{package} is version {version}, not the pinned {PinnedVersion}: run `npm ci --ignore-scripts` in {Folder}.");
    }

    /// <summary>Observatory's scan of <c>localhost</c> on the site's two ports.</summary>
    public static async Task<OracleScan> ScanAsync(NginxSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        AssertInstalled();
        var startInfo = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Folder,
        };
        foreach (var argument in new[] { "observatory-scan.mjs", "localhost", site.HttpPort.ToString(CultureInfo.InvariantCulture), site.HttpsPort.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Node trusts the test CA besides its own roots, as the scanner does with TrustedRootCertificates.
        startInfo.Environment["NODE_EXTRA_CA_CERTS"] = NginxSite.CaCertificatePath;
        // axios would send localhost through a proxy named in the environment; Observatory's defaults, not a config file.
        foreach (var variable in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "CONFIG_FILE" })
        {
            startInfo.Environment.Remove(variable);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception exception)
        {
            Assert.Fail($"node (Node.js 20 or later) is not on PATH ({exception.Message}); the agreement tests need it and do not skip. Run `bash .ci/install`.");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // The node this test started, by its handle.
                process.Kill(entireProcessTree: true);
                Assert.Fail($"Observatory did not finish within {Timeout.TotalSeconds:0} s: {await stderr}");
            }

            var text = await stdout;
            Assert.True(process.ExitCode == 0, $"Observatory exited with {process.ExitCode}: {text}{await stderr}");
            return JsonSerializer.Deserialize<OracleScan>(text, Json) ?? throw new JsonException($"not a scan: {text}");
        }
    }
}
