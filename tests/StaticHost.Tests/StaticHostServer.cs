using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using ReadinessAspire.Testing;

namespace StaticHost.Tests;

/// <summary>
/// Runs StaticHost the way the AppHost does: <c>dotnet StaticHost/bin/{Configuration}/{Tfm}/StaticHost.dll</c>
/// (build output, not publish output) with StaticHost/ as the working directory, in Production, on a free
/// loopback port. Ready once <c>/health/live</c> answers 200; killed on dispose.
/// </summary>
public sealed class StaticHostServer : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private Process? _process;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Everything the server wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A client that sends exactly the headers a test sets: no automatic decompression or redirects.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public async Task InitializeAsync()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPorts.One()}");
        var startInfo = StartInfo();
        startInfo.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        // Production refuses any Host header allowed (the deploy audit); these are the hosts the tests send.
        startInfo.Environment["AllowedHosts"] = "127.0.0.1;localhost";

        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await WaitUntilLiveAsync(_process);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills the server (and anything it started) and waits for it to be gone.</summary>
    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    /// <summary>StaticHost run to its end with <paramref name="args"/> (a command such as <c>check --deploy</c>), in Production.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var startInfo = StartInfo();
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartupTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"StaticHost {string.Join(' ', args)} did not exit within {StartupTimeout}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// <c>dotnet StaticHost.dll</c> from StaticHost's build output, in Production, with nothing from the test runner's
    /// environment that could change what is under test.
    /// </summary>
    private static ProcessStartInfo StartInfo()
    {
        var projectDirectory = RepositoryPaths.StaticHostProjectDirectory;
        var outputDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = outputDirectory.Name;
        var configuration = typeof(StaticHostServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(projectDirectory, "bin", configuration, targetFramework, "StaticHost.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"StaticHost's build output was not found at '{dll}'. Build StaticHost first.", dll);
        }

        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(dll);
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var variable in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_WEBROOT", "ASPNETCORE_CONTENTROOT", "OTEL_EXPORTER_OTLP_ENDPOINT", "AllowedHosts" })
        {
            startInfo.Environment.Remove(variable);
        }

        return startInfo;
    }

    private async Task WaitUntilLiveAsync(Process process)
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(2);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartupTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"StaticHost exited with code {process.ExitCode} before it was live.\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer while starting.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"StaticHost did not answer 200 on /health/live within {StartupTimeout}.\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

internal static class RepositoryPaths
{
    /// <summary>The StaticHost project folder, found by walking up from the test assembly to the repository root.</summary>
    public static string StaticHostProjectDirectory { get; } = FindStaticHostProjectDirectory();

    private static string FindStaticHostProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "StaticHost");
            if (File.Exists(Path.Combine(candidate, "StaticHost.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No StaticHost/StaticHost.csproj above '{AppContext.BaseDirectory}'.");
    }
}
