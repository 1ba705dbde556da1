using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ReadinessAspire.Bench;

/// <summary>
/// The real model (AppHost/Program.cs) through Aspire's testing builder: random ports, a throwaway data directory, no
/// dashboard, and the proxy's rate limit lifted so the load generator is not throttled. Variants of webapi (one replica
/// each, the same database and cache) run beside it, so that comparisons between them are made in the same run, on the
/// same servers. The AppHost runs inside this process; DCP runs the servers.
/// </summary>
internal sealed partial class BenchStack : IAsyncDisposable
{
    /// <summary>The variable in which each webapi replica's snapshot tells its own port (ReplicaBuilderExtensions).</summary>
    private const string ReplicaHttpPortVariable = "REPLICA_HTTP_PORT";

    /// <summary>How long a start may take (<c>--start-timeout</c>): on a busy 2-core machine, minutes.</summary>
    public static TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(5);

    private readonly DistributedApplication _app;
    private readonly DistributedApplicationModel _model;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;

    /// <summary>Every resource instance DCP runs (each replica its own id, e.g. webapi-abcdwxyz), by id.</summary>
    private readonly ConcurrentDictionary<string, IResource> _instances = new(StringComparer.Ordinal);

    private BenchStack(DistributedApplication app, string dataDirectory)
    {
        _app = app;
        _model = app.Services.GetRequiredService<DistributedApplicationModel>();
        DataDirectory = dataDirectory;
        _watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in app.ResourceNotifications.WatchAsync(_stopping.Token))
                {
                    _instances.TryAdd(change.ResourceId, change.Resource);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public string DataDirectory { get; }

    /// <summary>From <c>StartAsync</c> until every resource ran healthy (or finished its one-shot job).</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>The AppHost's local certificate authority's directory: the proxy's certificate and key.</summary>
    public string CertificateDirectory => Path.Combine(DataDirectory, "certs");

    /// <summary>
    /// Builds the model with <paramref name="variants"/> beside webapi and starts it; <paramref name="extraArguments"/>
    /// go to the AppHost's configuration last (e.g. <c>--Logging:LogLevel:AppHost.Resources=Information</c>).
    /// </summary>
    public static async Task<BenchStack> StartAsync(bool cacheReads, IReadOnlyList<WebApiVariant> variants, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken)
    {
        var dataDirectory = NewDataDirectory();
        DistributedApplication app;
        try
        {
            app = await BuildAsync(dataDirectory, cacheReads, variants, extraArguments, cancellationToken);
        }
        catch
        {
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }

        var stack = new BenchStack(app, dataDirectory);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        // Followed from the start, so that a start that takes too long says which resources it still waits for.
        var allUp = stack.WaitUntilAllUpAsync(timeout.Token, cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await app.StartAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await allUp; // Throws the TimeoutException that names what was not up.
                throw;
            }

            await allUp;
            stack.StartDuration = clock.Elapsed;
            return stack;
        }
        catch
        {
            // Never leave servers running behind a failed benchmark.
            await timeout.CancelAsync();
            await Task.WhenAny(allUp);
            await stack.DisposeAsync();
            throw;
        }
    }

    private static async Task<DistributedApplication> BuildAsync(string dataDirectory, bool cacheReads, IReadOnlyList<WebApiVariant> variants, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                $"--AppHost:DataDirectory={dataDirectory}",
                "--Proxy:ApiRate=1000000r/s",
                "--Proxy:ApiBurst=1000000",
                // wrk's 64 connections come from one address, the proxy's whole per-client cap: the stack's own traffic
                // through the proxy from that address (its scan of itself, the workload's set-up) would be shed (503).
                "--Proxy:MaxConnectionsPerClient=1024",
                // Given, so nothing is generated into the AppHost's user-secrets store.
                $"--Parameters:postgres-password={NewPassword()}",
                $"--Parameters:cache-password={NewPassword()}",
                // The testing host forwards every resource's console to its logger, stderr as errors, and health checks
                // fail while servers start: the bench's console keeps to what the bench says.
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:AppHost.Resources=None",
                "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
                .. extraArguments,
            ],
            (options, _) =>
            {
                options.DisableDashboard = true;
                // The testing host streams every resource's console from DCP into this process and only then drops the
                // lines its log level refuses: the proxy's access log under load cost DCP and the bench half a core
                // (b, 2026-12-02), which the AppHost run by `dotnet run` does not spend. Only when asked to show them.
                options.EnableResourceLogging = extraArguments.Any(argument => argument.StartsWith("--Logging:LogLevel:AppHost.Resources", StringComparison.Ordinal));
            },
            cancellationToken);
        var webApi = builder.CreateResourceBuilder(Resource<ProjectResource>(builder, "webapi"))
            .WithEnvironment("Checklists__CacheReads", cacheReads ? "true" : "false")
            // The product scenarios sign a user up and in at once; no mailbox to confirm from here.
            .WithEnvironment("Accounts__RequireConfirmedEmail", "false")
            // Scenario l queues its scans at once, of the proxy on its random port.
            .WithEnvironment("Scans__PerUserPerMinute", "100000")
            .WithEnvironment("Scanner__AllowedPorts", "*");
        var database = builder.CreateResourceBuilder(Resource<IResourceWithConnectionString>(builder, "readiness"));
        var cache = builder.CreateResourceBuilder(Resource<IResourceWithConnectionString>(builder, "cache"));
        var evidence = builder.CreateResourceBuilder(Resource<IResourceWithConnectionString>(builder, "evidence"));
        foreach (var variant in variants)
        {
            var resource = builder.AddProject<Projects.WebApi>(variant.Name)
                .WithServiceEndpoints()
                .WithReference(database)
                .WithReference(cache)
                .WithReference(evidence)
                .WaitFor(webApi)
                .WithEnvironment("AllowedHosts", "localhost;127.0.0.1")
                // As webapi's: a Production start refuses to run without it (its data-protection keys are encrypted).
                .WithDataProtectionCertificate()
                .WithEnvironment("Checklists__CacheReads", cacheReads ? "true" : "false")
                // Measured as API replicas only: they take no scans from the queue webapi's workers serve.
                .WithEnvironment("Scans__WorkerConcurrency", "0")
                .WithHttpHealthCheck("/health/ready");
            // Its own port, told the way webapi's replicas tell theirs, so it is measured without DCP's proxy too.
            var http = resource.GetEndpoint("http");
            resource.WithEnvironment(ReplicaHttpPortVariable, ReferenceExpression.Create($"{http.Property(EndpointProperty.TargetPort)}"));
            foreach (var (name, value) in variant.Environment)
            {
                resource.WithEnvironment(name, value);
            }
        }

        // Every service exports to a collector that answers, as deployed: the testing builder has no dashboard to.
        // It exports as deployed too: the OpenTelemetry SDK's defaults, which the published manifest leaves in place,
        // not the settings Aspire gives a local run for its dashboard's live view (metrics every second, an exemplar
        // per measurement, spans sent every second). Those cost a replica about a tenth of its uncached reads.
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Endpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "60000")
                .WithEnvironment("OTEL_METRICS_EXEMPLAR_FILTER", "always_off")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "5000");
        }

        return await builder.BuildAsync(cancellationToken);
    }

    /// <summary>The collector every stack of this run exports to; it lives as long as the bench.</summary>
    private static OtlpSink Telemetry => s_telemetry.Value;

    private static readonly Lazy<OtlpSink> s_telemetry = new(() => new OtlpSink());

    /// <summary>The proxy's public HTTPS endpoint (nginx listens on it itself: no DCP proxy).</summary>
    public string ProxyUrl(string path) => $"https://localhost:{_app.GetEndpoint("proxy", "https").Port.ToString(CultureInfo.InvariantCulture)}{path}";

    /// <summary>Counts the proxy's failed answers from its access log, from now until disposed.</summary>
    public ProxyFailures FollowProxyFailures() => new(_app);

    /// <summary>The port DCP's proxy listens on for a project's endpoint; it spreads requests over the replicas.</summary>
    public int DcpProxyPort(string resource, string endpoint = "http") => _app.GetEndpoint(resource, endpoint).Port;

    /// <summary>Each replica's own port, as the replica's snapshot reports it (what the AppHost's nginx is given).</summary>
    public IReadOnlyList<int> OwnPorts(string resource, string variable = ReplicaHttpPortVariable)
    {
        var ports = new List<int>();
        foreach (var id in InstanceIds(resource))
        {
            if (!_app.ResourceNotifications.TryGetCurrentState(id, out var current)
                || current.Snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == variable)?.Value is not { } value
                || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                throw new InvalidOperationException($"{id} reports no {variable}");
            }

            ports.Add(port);
        }

        return ports;
    }

    /// <summary>One replica, on its own port: no proxy of any kind in between.</summary>
    public string ReplicaUrl(string path, string resource = "webapi") =>
        $"http://127.0.0.1:{OwnPorts(resource)[0].ToString(CultureInfo.InvariantCulture)}{path}";

    /// <summary>Whether a replica's /metrics (its own management port) reports any HTTP request durations.</summary>
    public async Task<bool> RecordsRequestMetricsAsync(string resource, CancellationToken cancellationToken)
    {
        using var client = new HttpClient();
        (await client.GetAsync(new Uri(ReplicaUrl("/api/checklists", resource)), cancellationToken)).Dispose();
        var management = OwnPorts(resource, "Management__Port")[0];
        var metrics = await client.GetStringAsync(new Uri($"http://127.0.0.1:{management.ToString(CultureInfo.InvariantCulture)}/metrics"), cancellationToken);
        return metrics.Contains("http_server_request_duration", StringComparison.Ordinal);
    }

    /// <summary>Whether a resource's JSON log files hold any access log line.</summary>
    public bool WritesAccessLog(string resource)
    {
        var directory = Path.Combine(DataDirectory, "logs", resource);
        return Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.jsonl")
            .Any(file => File.ReadLines(file).Any(line => line.Contains("\"category\":\"ServiceDefaults.AccessLog\"", StringComparison.Ordinal)));
    }

    public async Task<string> FingerprintedAssetAsync(CancellationToken cancellationToken)
    {
        using var client = _app.CreateHttpClient("static");
        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative), cancellationToken);
        return AssetUrl().Match(page) is { Success: true } match ? match.Value : throw new InvalidOperationException("index.html references no fingerprinted asset");
    }

    /// <summary>The length of the body <paramref name="path"/> answers through the proxy, uncompressed.</summary>
    public async Task<int> BodyLengthAsync(string path, CancellationToken cancellationToken)
    {
        using var client = HttpProbe.CreateClient(Path.Combine(CertificateDirectory, "ca.crt"));
        return (await client.GetByteArrayAsync(new Uri(ProxyUrl(path)), cancellationToken)).Length;
    }

    /// <summary>
    /// Asks once, and again until it answers 2xx (a minute at most): a cold cache entry or a replica's first request
    /// (JIT, connection pools) must not fall into a short warm-up. HTTPS trusts the AppHost's local CA only.
    /// </summary>
    public async Task PrimeAsync(string url, IEnumerable<string> headers, CancellationToken cancellationToken)
    {
        using var client = HttpProbe.CreateClient(Path.Combine(CertificateDirectory, "ca.crt"));
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var header in headers)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
            }

            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (deadline.Elapsed > TimeSpan.FromMinutes(1))
                {
                    throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromMinutes(1))
            {
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// Memory of every resource's processes (all replicas; a server's workers and backends), of DCP's own processes and
    /// of this process, which hosts the AppHost. DCP starts a project as <c>dotnet run</c>, whose child is the application:
    /// the application counts for the resource, the launchers on a line of their own.
    /// </summary>
    public IEnumerable<MemoryUse> Memory()
    {
        var table = ProcessTable.Capture();
        var launchers = new List<int>();
        foreach (var resource in _model.Resources)
        {
            var pids = InstanceIds(resource.Name).SelectMany(id => ApplicationProcesses(table, id, launchers)).ToList();
            if (pids.Count > 0)
            {
                yield return MemoryUse.Of(resource.Name, pids);
            }
        }

        if (launchers.Count > 0)
        {
            yield return MemoryUse.Of("dotnet run (DCP's launcher of each project process)", launchers);
        }

        var dcp = table.DcpTree(Environment.ProcessId).Where(p => p.IsDcp).Select(p => p.Pid).ToList();
        yield return MemoryUse.Of("dcp (API server, controllers, a monitor per process)", dcp);
        yield return MemoryUse.Of("apphost (in the bench process)", [Environment.ProcessId]);
    }

    /// <summary>RSS of each replica of <paramref name="resource"/> on its own (the application, not its launcher), MiB.</summary>
    public IReadOnlyList<double> ReplicaRssMiB(string resource) => [.. ReplicaMemory(resource).Select(memory => memory.RssMiB)];

    /// <summary>The resident memory of each replica of <paramref name="resource"/> (the application, not its launcher), by kind.</summary>
    public IReadOnlyList<ResidentMemory> ReplicaMemory(string resource)
    {
        var table = ProcessTable.Capture();
        return [.. InstanceIds(resource).Select(id => ProcessTable.Composition(ApplicationProcesses(table, id, [])))];
    }

    /// <summary>
    /// A resource instance's processes: the process DCP started and its descendants, or, when that is <c>dotnet run</c>,
    /// the application below it (the launcher is added to <paramref name="launchers"/>).
    /// </summary>
    private List<int> ApplicationProcesses(ProcessTable table, string id, List<int> launchers)
    {
        if (ProcessId(id) is not int pid || table[pid] is not { } process)
        {
            return [];
        }

        if (process.IsDotnetRun)
        {
            launchers.Add(pid);
            return [.. table.Children(pid).SelectMany(table.Tree)];
        }

        return [.. table.Tree(pid)];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Disposing stops DCP, whose monitor stops whatever is left.
        }
        finally
        {
            await _stopping.CancelAsync();
            await _watching;
            _stopping.Dispose();
            await _app.DisposeAsync();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Waits until every instance of every resource (each replica) runs, healthy where it has health checks, or finished
    /// its one-shot job with exit code 0.
    /// </summary>
    private async Task WaitUntilAllUpAsync(CancellationToken timeout, CancellationToken cancellationToken)
    {
        var resources = _model.Resources.Where(r => r is not ParameterResource).ToList();
        var latest = new Dictionary<string, ResourceEvent>(StringComparer.Ordinal);
        bool AllUp() => resources.All(resource =>
        {
            var instances = latest.Values.Where(e => e.Resource == resource).ToList();
            return instances.Count >= Replicas(resource) && instances.All(e => IsUp(resource, e.Snapshot));
        });

        try
        {
            await foreach (var change in _app.ResourceNotifications.WatchAsync(timeout))
            {
                latest[change.ResourceId] = change;
                if (change.Snapshot.State?.Text == KnownResourceStates.FailedToStart)
                {
                    var notUp = latest.Values.Where(e => e.ResourceId != change.ResourceId && !IsUp(e.Resource, e.Snapshot)).Select(e => e.ResourceId);
                    throw new InvalidOperationException(
                        $"{change.ResourceId} failed to start (not up either: {string.Join(", ", notUp.DefaultIfEmpty("none"))}); its last lines:{await LastLogLinesAsync(change.ResourceId)}");
                }

                if (AllUp())
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var pending = resources
                .SelectMany(r => latest.Values.Where(e => e.Resource == r && !IsUp(r, e.Snapshot)).Select(e => $"{e.ResourceId}: {e.Snapshot.State?.Text} {e.Snapshot.HealthStatus}")
                    .DefaultIfEmpty(latest.Values.Count(e => e.Resource == r) < Replicas(r) ? $"{r.Name}: not reported" : null))
                .OfType<string>();
            var lastLines = new List<string>();
            foreach (var waiting in latest.Values.Where(e => !IsUp(e.Resource, e.Snapshot)))
            {
                lastLines.Add($"{Environment.NewLine}  {waiting.ResourceId}'s last lines:{await LastLogLinesAsync(waiting.ResourceId)}");
            }

            throw new TimeoutException($"The stack was not up within {StartTimeout.TotalSeconds} s; still waiting for {string.Join(", ", pending)}{string.Concat(lastLines)}");
        }
    }

    /// <summary>
    /// A resource's last log lines, Aspire's own about it and its console's, which DCP keeps: why a server is not up is
    /// in them (its own error, or the dependency it waited for), and the bench's console shows no resource's logs unless
    /// asked to.
    /// </summary>
    private async Task<string> LastLogLinesAsync(string resourceId)
    {
        const int Lines = 12;
        var last = new Queue<string>();
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await foreach (var batch in _app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(resourceId).WithCancellation(enough.Token))
            {
                foreach (var line in batch)
                {
                    last.Enqueue(line.Content);
                    if (last.Count > Lines)
                    {
                        last.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (enough.IsCancellationRequested)
        {
            // What came within the time is enough to say why.
        }

        return last.Count == 0 ? " (none)" : string.Concat(last.Select(line => $"{Environment.NewLine}    {line}"));
    }

    private static int Replicas(IResource resource) => resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    private IEnumerable<string> InstanceIds(string resource) =>
        _instances.Where(i => i.Value.Name == resource).Select(i => i.Key).Order(StringComparer.Ordinal);

    private static bool IsUp(IResource resource, CustomResourceSnapshot snapshot) =>
        snapshot.IsHidden
        || (snapshot.State?.Text == KnownResourceStates.Finished && snapshot.ExitCode == 0)
        || (snapshot.State?.Text == KnownResourceStates.Running
            && (!resource.Annotations.OfType<HealthCheckAnnotation>().Any() || snapshot.HealthStatus == HealthStatus.Healthy));

    private int? ProcessId(string resourceId) =>
        _app.ResourceNotifications.TryGetCurrentState(resourceId, out var current)
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    private static T Resource<T>(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.Single(r => r.Name == name) is T resource
            ? resource
            : throw new InvalidOperationException($"The model's {name} is not a {typeof(T).Name}");

    /// <summary>Under /tmp, not the user's temp folder: PostgreSQL's user must traverse every parent.</summary>
    internal static string NewDataDirectory()
    {
        var root = Path.Combine("/tmp", "readinessaspire-bench");
        var directory = Path.Combine(root, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        return directory;
    }

    internal static string NewPassword() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);

    [GeneratedRegex(@"/assets/[A-Za-z0-9._-]+\.js")]
    private static partial Regex AssetUrl();
}

/// <summary>An extra webapi resource with its own settings, e.g. telemetry off.</summary>
internal sealed record WebApiVariant(string Name, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>From <c>NAME:KEY=VALUE,KEY=VALUE</c>; the resource is named <c>webapi-NAME</c>.</summary>
    public static WebApiVariant Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException($"--variant {text}: expected NAME:KEY=VALUE,...");
        }

        var environment = text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "", StringComparer.Ordinal);
        return new WebApiVariant($"webapi-{text[..colon]}", environment);
    }
}

/// <summary>What a group of processes holds in memory: resident (RSS) and proportional (PSS) MiB.</summary>
internal sealed record MemoryUse(string Name, double RssMiB, double PssMiB)
{
    public static MemoryUse Of(string name, IReadOnlyCollection<int> pids) => new(name, ProcessTable.RssMiB(pids), ProcessTable.PssMiB(pids));
}
