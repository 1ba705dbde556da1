using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Resources;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>
/// Runs the model: every resource starts as soon as what it waits for is ready, and on shutdown resources stop
/// in reverse dependency order (the proxy before the API, the API before its database) within the timeout.
/// </summary>
public sealed class Orchestrator : IHostedService, IDisposable
{
    private readonly DistributedApplicationModel _model;
    private readonly DistributedApplicationOptions _options;
    private readonly ILogger<Orchestrator> _logger;
    private readonly ProcessLedger _ledger;
    private readonly OutputSink _output;
    private readonly List<ResourceRunner> _runners;
    private readonly StatusTable _statusTable;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private FileStream? _dataDirectoryLock;

    public Orchestrator(DistributedApplicationModel model, DistributedApplicationOptions options, DistributedApplicationExecutionContext executionContext, ResourceNotificationService notifications, ILogger<Orchestrator> logger)
    {
        _model = model;
        _options = options;
        _logger = logger;
        var dataDirectory = options.DataDirectory!;
        _ledger = new ProcessLedger(Path.Combine(dataDirectory, "run", "processes.json"), logger);
        _output = new OutputSink(Path.Combine(dataDirectory, "logs"), options.ConsoleOutput, options.OutputFileSizeLimitBytes, options.OutputFileCount);
        var context = new RunnerContext(options, executionContext, notifications, _ledger, _output, logger);
        _runners = [.. model.Select(r => RunnerFactory.Create(r, context)).OfType<ResourceRunner>()];
        var awaitedToComplete = model.SelectMany(r => r.OfAnnotation<WaitAnnotation>()).Where(w => w.WaitType == WaitType.WaitForCompletion).Select(w => w.Resource).ToHashSet();
        foreach (var runner in _runners)
        {
            runner.IsOneShot = awaitedToComplete.Contains(runner.Resource);
        }

        _statusTable = new StatusTable(notifications, options.StatusTable && options.ConsoleOutput);
    }

    /// <summary>One line per missing server, each naming the package to install.</summary>
    public IReadOnlyList<string> MissingPrerequisites() => [.. _runners.SelectMany(r => r.MissingPrerequisites()).Distinct()];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (MissingPrerequisites() is { Count: > 0 } missing)
        {
            throw new DistributedApplicationException(string.Join(Environment.NewLine, missing));
        }

        Directory.CreateDirectory(Path.Combine(_options.DataDirectory!, "run"));
        // The PostgreSQL user must be able to pass through to its data directory below this one.
        File.SetUnixFileMode(_options.DataDirectory!, (UnixFileMode)0b111_101_101);
        _dataDirectoryLock = LockDataDirectory();
        if (_options.ResourceApiPort != 0 && !PortAllocator.IsFree(_options.ResourceApiPort))
        {
            throw new DistributedApplicationException($"The resource API port {_options.ResourceApiPort} on 127.0.0.1 is in use; stop what holds it or set AppHost__ResourceApiPort.");
        }

        // Only now is it certain that what the ledger lists belongs to a dead AppHost, not a running one.
        await _ledger.CleanUpPreviousRunAsync(cancellationToken);
        EndpointAllocator.Allocate(_model, _options);

        _logger.DataDirectory(_options.DataDirectory!);
        _statusTable.Start();
        foreach (var runner in _runners)
        {
            _running.Add(Task.Run(() => runner.RunAsync(_stopping.Token), CancellationToken.None));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        var deadline = DateTime.UtcNow + _options.ShutdownTimeout;
        foreach (var wave in StopWaves())
        {
            var grace = deadline - DateTime.UtcNow;
            await Task.WhenAll(wave.Select(r => r.StopAsync(grace > TimeSpan.FromMilliseconds(500) ? grace : TimeSpan.FromMilliseconds(500))));
        }

        await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        await _statusTable.StopAsync();
        _output.Dispose();
        _dataDirectoryLock?.Dispose();
    }

    /// <summary>Runs a resource command ("stop" or "start"), as the dashboard's buttons do in Aspire.</summary>
    public Task ExecuteCommandAsync(string resourceName, string command)
    {
        var runner = _runners.FirstOrDefault(r => r.Resource.Name.Equals(resourceName, StringComparison.OrdinalIgnoreCase))
            ?? throw new KeyNotFoundException($"No resource named '{resourceName}'.");
        return command switch
        {
            "stop" => runner.StopResourceAsync(),
            "start" => runner.StartResourceAsync(),
            _ => throw new NotSupportedException($"Unknown command '{command}': use stop or start."),
        };
    }

    /// <summary>
    /// One AppHost per data directory: a second one would share volumes and ports and stop the first one's
    /// processes as leftovers. The kernel drops the lock when its holder dies, even by SIGKILL.
    /// </summary>
    private FileStream LockDataDirectory()
    {
        var run = Path.Combine(_options.DataDirectory!, "run");
        var ownerFile = Path.Combine(run, "apphost.pid");
        try
        {
            var lockFile = new FileStream(Path.Combine(run, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(ownerFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return lockFile;
        }
        catch (IOException)
        {
            var owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "unknown";
            throw new DistributedApplicationException($"Another AppHost (pid {owner}) is running with the data directory {_options.DataDirectory}; stop it first, or set AppHost__DataDirectory to run a second one.");
        }
    }

    /// <summary>Groups runners so that each one stops only after everything that depends on it has stopped.</summary>
    private IEnumerable<List<ResourceRunner>> StopWaves()
    {
        var remaining = _runners.ToList();
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(candidate => !remaining.Any(other => other != candidate && DependsOn(other.Resource, candidate.Resource))).ToList();
            if (wave.Count == 0)
            {
                wave = remaining; // A cycle: stop the rest together.
            }

            remaining = [.. remaining.Except(wave)];
            yield return wave;
        }
    }

    private static bool DependsOn(IResource resource, IResource dependency) =>
        resource.OfAnnotation<WaitAnnotation>().Any(w => w.Resource == dependency || (w.Resource as IResourceWithParent)?.Parent == dependency)
        || resource.OfAnnotation<ResourceReferenceAnnotation>().Any(r => r.Resource == dependency || (r.Resource as IResourceWithParent)?.Parent == dependency)
        || (resource as IResourceWithParent)?.Parent == dependency;

    public void Dispose()
    {
        _stopping.Dispose();
        _statusTable.Dispose();
        _output.Dispose();
        _dataDirectoryLock?.Dispose();
    }
}


