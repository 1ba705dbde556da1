using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AppHost.Tests.Deployment;

namespace AppHost.Tests;

/// <summary>
/// Proxy/Dockerfile cannot be built here (no engine, no registry), so its parts are checked one by one: the linter,
/// the entrypoint rendering the real templates with the manifest's values and `nginx -t` accepting the result.
/// </summary>
public sealed partial class ProxyImageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "readinessaspire-tests", "proxy-" + Guid.NewGuid().ToString("N")[..12]);

    private static string Dockerfile => RepositoryFiles.Path("Proxy", "Dockerfile");

    private static string Entrypoint => RepositoryFiles.Path("Proxy", "docker-entrypoint.sh");

    [Fact]
    public async Task The_Dockerfile_passes_dockerfilelint()
    {
        var lint = await LintTools.RunAsync("dockerfilelint", [Dockerfile], RepositoryFiles.Root);

        Assert.True(lint.ExitCode == 0, lint.Output);
    }

    [Fact]
    public void The_image_is_Debian_bookworm_nginx_with_the_local_runs_modules_running_as_a_numeric_non_root_user()
    {
        var text = File.ReadAllText(Dockerfile);

        Assert.Matches(@"(?m)^FROM debian:bookworm-slim$", text);
        foreach (var package in new[] { "nginx", "libnginx-mod-http-headers-more-filter", "libnginx-mod-http-brotli-filter", "gettext-base" })
        {
            Assert.Matches($@"(?m)^\s+{Regex.Escape(package)} \\$", text);
        }

        var user = Regex.Match(text, @"(?m)^USER (\d+):(\d+)$");
        Assert.True(user.Success, "USER must be numeric so Kubernetes can verify runAsNonRoot");
        Assert.NotEqual("0", user.Groups[1].Value);
        Assert.Contains("COPY templates/ /etc/proxy/templates/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_builds_the_proxy_from_this_Dockerfile_whose_image_exposes_every_binding()
    {
        var proxy = RepositoryFiles.ManifestResources()["proxy"]!;
        var exposed = ExposedPorts().Match(File.ReadAllText(Dockerfile)).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // PublishAsDockerFile: Aspire writes a container.v1 that azd builds from this folder and pushes to its registry.
        Assert.Equal("container.v1", (string?)proxy["type"]);
        Assert.Null(proxy["image"]);
        Assert.Equal("Proxy", (string?)proxy["build"]!["context"]);
        Assert.Equal("Proxy/Dockerfile", (string?)proxy["build"]!["dockerfile"]);
        Assert.Equal(Dockerfile, RepositoryFiles.Path((string)proxy["build"]!["dockerfile"]!));
        var bindings = (JsonObject)proxy["bindings"]!;
        Assert.NotEmpty(bindings);
        Assert.All(bindings, b => Assert.Contains(((int)b.Value!["targetPort"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), exposed));
    }

    [Fact]
    public void The_images_defaults_are_the_values_the_manifest_gives_the_container()
    {
        var env = (JsonObject)RepositoryFiles.ManifestResources()["proxy"]!["env"]!;
        var defaults = DockerfileEnv().Matches(File.ReadAllText(Dockerfile)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        Assert.NotEmpty(defaults);
        foreach (var (name, value) in defaults.Where(d => env.ContainsKey(d.Key)))
        {
            Assert.True((string?)env[name] == value, $"{name}: the Dockerfile says {value}, the manifest {(string?)env[name]}");
        }

        Assert.All(env.Where(e => e.Key.StartsWith("NGINX_", StringComparison.Ordinal)), e => Assert.True(defaults.ContainsKey(e.Key), $"the image has no default for {e.Key}"));
    }

    [Fact]
    public async Task The_entrypoint_renders_the_templates_makes_a_certificate_and_nginx_accepts_the_result()
    {
        var result = await RunEntrypointAsync(ContainerEnvironment());

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("rendered-and-checked", result.Output, StringComparison.Ordinal);
        Assert.Contains("creating a self-signed one", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "tls", "tls.crt")));

        var config = File.ReadAllText(Path.Combine(_root, "conf", "nginx.conf"));
        var routes = File.ReadAllText(Path.Combine(_root, "conf", "routes.conf"));
        Assert.DoesNotMatch(@"\$\{[A-Z0-9_]+\}", config + routes);
        // nginx's own variables pass through untouched.
        Assert.Contains("proxy_cache_key $scheme$host$request_uri;", routes, StringComparison.Ordinal);
        // Behind the platform's ingress, plain HTTP serves the routes rather than redirecting.
        Assert.Contains("include \"/var/lib/proxy/conf/plain-http-serve.conf\";", config.Replace(_root, "/var/lib/proxy", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("listen 8443 ssl http2;", config, StringComparison.Ordinal);
        Assert.Contains("server localhost:8080 max_fails=1", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mounted_certificate_is_used_as_it_is()
    {
        var tls = Directory.CreateDirectory(Path.Combine(_root, "tls")).FullName;
        var make = await ChildProcessResult.RunAsync(
            "openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=mounted.example",
                "-keyout", Path.Combine(tls, "tls.key"), "-out", Path.Combine(tls, "tls.crt")],
            _root);
        Assert.True(make.ExitCode == 0, make.Output);
        var mounted = File.ReadAllBytes(Path.Combine(tls, "tls.crt"));

        var result = await RunEntrypointAsync(ContainerEnvironment());

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("self-signed", result.Output, StringComparison.Ordinal);
        Assert.Equal(mounted, File.ReadAllBytes(Path.Combine(tls, "tls.crt")));
    }

    [Fact]
    public async Task A_template_variable_without_a_value_stops_the_container()
    {
        var environment = ContainerEnvironment();
        environment.Remove("UPSTREAM_STATIC");

        var result = await RunEntrypointAsync(environment);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("UPSTREAM_STATIC", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("rendered-and-checked", result.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// The proxy's manifest environment as a deployment would resolve it (upstream hosts that resolve here), with the
    /// image's writable directories moved under a temporary folder.
    /// </summary>
    private Dictionary<string, string?> ContainerEnvironment()
    {
        var env = ((JsonObject)RepositoryFiles.ManifestResources()["proxy"]!["env"]!)
            .ToDictionary(e => e.Key, e => (string?)ResolveExpressions((string)e.Value!));
        env["NGINX_CONF_DIR"] = Path.Combine(_root, "conf");
        env["NGINX_RUN_DIR"] = Path.Combine(_root, "run");
        env["NGINX_CACHE_DIR"] = Path.Combine(_root, "cache");
        env["PROXY_CERTIFICATE"] = Path.Combine(_root, "tls", "tls.crt");
        env["PROXY_CERTIFICATE_KEY"] = Path.Combine(_root, "tls", "tls.key");
        env["PROXY_TEMPLATES_DIR"] = RepositoryFiles.Path("Proxy", "templates");
        env["PROXY_PREFIX"] = _root;
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        return env;
    }

    private static string ResolveExpressions(string value) => value
        .Replace(".bindings.http.host}", ".host}", StringComparison.Ordinal)
        .Replace(".bindings.http.port}", ".port}", StringComparison.Ordinal)
        .Replace("{webapi.host}", "localhost", StringComparison.Ordinal)
        .Replace("{static.host}", "localhost", StringComparison.Ordinal)
        .Replace("{webapi.port}", "8080", StringComparison.Ordinal)
        .Replace("{static.port}", "8080", StringComparison.Ordinal);

    /// <summary>The real entrypoint with a harmless command in place of nginx, so the test ends after `nginx -t`.</summary>
    private async Task<ChildProcessResult> RunEntrypointAsync(Dictionary<string, string?> environment)
    {
        Directory.CreateDirectory(_root);
        var clean = Environment.GetEnvironmentVariables().Keys.Cast<string>().ToDictionary(k => k, _ => (string?)null);
        foreach (var (key, value) in environment)
        {
            clean[key] = value;
        }

        var result = await ChildProcessResult.RunAsync("/bin/sh", [Entrypoint, "echo", "rendered-and-checked"], _root, clean, TimeSpan.FromMinutes(1));
        Assert.DoesNotContain("{", string.Join(' ', environment.Where(e => e.Key.StartsWith("UPSTREAM_", StringComparison.Ordinal)).Select(e => e.Value)), StringComparison.Ordinal);
        return result;
    }

    [GeneratedRegex(@"(?m)^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=(\S+?)\s*\\?$")]
    private static partial Regex DockerfileEnv();

    [GeneratedRegex(@"(?m)^EXPOSE ([0-9 ]+)$")]
    private static partial Regex ExposedPorts();
}
