using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

/// <summary>
/// Runs Debian's nginx with the resource's templates rendered into a private prefix: the same substitution the
/// container image's envsubst does, checked with <c>nginx -t</c> before start.
/// </summary>
internal sealed partial class NginxRunner(NginxResource nginx, RunnerContext context) : ProcessResourceRunner(nginx, context)
{
    private const string NginxBinary = "/usr/sbin/nginx";
    private const string ModulesDirectory = "/usr/lib/nginx/modules";

    private static readonly TimeSpan s_accessLogCheckInterval = TimeSpan.FromSeconds(2);

    private static readonly (string File, string Package)[] RequiredModules =
    [
        ("ngx_http_headers_more_filter_module.so", "libnginx-mod-http-headers-more-filter"),
        ("ngx_http_brotli_filter_module.so", "libnginx-mod-http-brotli-filter"),
    ];

    private string Prefix => Path.Combine(Context.DataDirectory, "run", nginx.Name);

    private string ConfigFile => Path.Combine(Prefix, "conf", "nginx.conf");

    private string AccessLog => Path.Combine(Context.DataDirectory, "logs", $"{nginx.Name}-access.log");

    // SIGQUIT is nginx's graceful shutdown: open requests finish, no new ones are taken.
    protected override int StopSignal => NativeMethods.SIGQUIT;

    public override IEnumerable<string> MissingPrerequisites()
    {
        if (!File.Exists(NginxBinary))
        {
            yield return $"{nginx.Name}: {NginxBinary} not found; install it: apt-get install -y nginx libnginx-mod-http-headers-more-filter libnginx-mod-http-brotli-filter";
        }

        foreach (var (file, package) in RequiredModules.Where(m => !File.Exists(Path.Combine(ModulesDirectory, m.File))))
        {
            yield return $"{nginx.Name}: the nginx module {file} is not installed; install it: apt-get install -y {package}";
        }

        if (!Directory.Exists(nginx.TemplatesPath))
        {
            yield return $"{nginx.Name}: no templates folder at {nginx.TemplatesPath}";
        }
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var certificates = new LocalCertificateAuthority(Path.Combine(Context.DataDirectory, "certs"));
        certificates.EnsureServerCertificate();
        Context.Logger.TrustLocalCa(certificates.CaCertificatePath);

        var instance = InstanceInfo(0);
        var variables = await EnvironmentResolver.ResolveAsync(nginx, Context.ExecutionContext, instance, cancellationToken);
        foreach (var (name, value) in LocalVariables(instance, certificates))
        {
            variables.TryAdd(name, value);
        }

        foreach (var directory in new[] { "conf", "logs", "run", "cache" })
        {
            Directory.CreateDirectory(Path.Combine(Prefix, directory));
        }
        foreach (var template in Directory.EnumerateFiles(nginx.TemplatesPath, "*.template"))
        {
            var rendered = Render(await File.ReadAllTextAsync(template, cancellationToken), variables, template);
            await File.WriteAllTextAsync(Path.Combine(Prefix, "conf", Path.GetFileNameWithoutExtension(template)), rendered, cancellationToken);
        }

        var check = new ProcessSpec(NginxBinary, ["-t", "-q", "-p", Prefix, "-c", ConfigFile, "-e", "stderr"], new Dictionary<string, string>(), Prefix);
        var exitCode = await ProcessLauncher.RunToCompletionAsync($"{nginx.Name}-check", check, Context.Output, cancellationToken);
        if (exitCode != 0)
        {
            throw new ResourceStartException($"nginx -t rejected the rendered configuration {ConfigFile}; see {Context.Output.LogFile($"{nginx.Name}-check")}");
        }
    }

    protected override Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        Task.FromResult(new ProcessSpec(NginxBinary, ["-p", Prefix, "-c", ConfigFile, "-e", "stderr", "-g", "daemon off;"], new Dictionary<string, string>(), Prefix));

    /// <summary>
    /// nginx writes its access log itself, a line per request, and never rolls it: the AppHost does what logrotate
    /// does on a server, with the limits of its own output files. USR1 makes the master reopen the log file by name.
    /// </summary>
    protected override async Task HousekeepAsync(ChildProcess process, CancellationToken exited)
    {
        using var timer = new PeriodicTimer(s_accessLogCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(exited))
            {
                var log = new FileInfo(AccessLog);
                if (log.Exists && log.Length > Context.Options.OutputFileSizeLimitBytes)
                {
                    try
                    {
                        LogFiles.ShiftOlder(AccessLog, Context.Options.OutputFileCount);
                        NativeMethods.Signal(process.Id, NativeMethods.SIGUSR1);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // A log that cannot be rolled must not take the proxy down; the next tick tries again.
                        Context.Logger.AccessLogNotRolled(nginx.Name, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The process exited or the AppHost is stopping.
        }
    }

    protected override async Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        await HealthProbes.HttpAsync($"http://127.0.0.1:{instance.Ports[NginxBuilderExtensions.StatusEndpointName]}/stub_status", cancellationToken);

    /// <summary>Replaces every <c>${NAME}</c>; a name with no value is an error, not an empty string.</summary>
    internal static string Render(string template, IReadOnlyDictionary<string, string> variables, string templateName) =>
        TemplateVariable().Replace(template, match => variables.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new ResourceStartException($"{Path.GetFileName(templateName)} uses ${{{match.Groups[1].Value}}}, which has no value."));

    /// <summary>What the local run decides itself: ports, paths, certificate and worker count.</summary>
    private Dictionary<string, string> LocalVariables(ResourceInstanceInfo instance, LocalCertificateAuthority certificates) => new()
    {
        ["NGINX_WORKER_PROCESSES"] = Math.Max(1, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
        ["NGINX_RUN_DIR"] = Path.Combine(Prefix, "run"),
        ["NGINX_CACHE_DIR"] = Path.Combine(Prefix, "cache"),
        ["NGINX_CONF_DIR"] = Path.Combine(Prefix, "conf"),
        ["NGINX_MIME_TYPES"] = "/etc/nginx/mime.types",
        ["NGINX_MODULES_DIR"] = ModulesDirectory,
        ["NGINX_ACCESS_LOG"] = AccessLog,
        ["NGINX_STATUS_LISTEN"] = $"127.0.0.1:{instance.Ports[NginxBuilderExtensions.StatusEndpointName]}",
        ["PROXY_HTTP_PORT"] = $"127.0.0.1:{instance.Ports["http"]}",
        ["PROXY_HTTPS_PORT"] = $"127.0.0.1:{instance.Ports["https"]}",
        ["PROXY_HTTPS_PUBLIC_PORT"] = instance.Ports["https"].ToString(CultureInfo.InvariantCulture),
        ["PROXY_PLAIN_HTTP"] = "redirect",
        ["PROXY_CERTIFICATE"] = certificates.ServerCertificatePath,
        ["PROXY_CERTIFICATE_KEY"] = certificates.ServerKeyPath,
    };

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex TemplateVariable();
}
