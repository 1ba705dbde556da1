using System.Diagnostics;
using System.Net;
using ReadinessAspire.Testing;

namespace WebApi.Tests.Security;

/// <summary>
/// The real WebApi (its built dll) as a child process, as the AppHost runs it: Production unless told otherwise,
/// on a free loopback port, with only the configuration a test passes. Killed on dispose.
/// </summary>
internal sealed class WebApiProcess : IAsyncDisposable
{
    private static readonly string[] s_inheritedPrefixes =
        ["ASPNETCORE_", "DOTNET_ENVIRONMENT", "ConnectionStrings__", "AllowedHosts", "DataProtection__", "ForwardedHeaders__", "Deploy__", "OTEL_"];

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private WebApiProcess(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "WebApi"),
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(RepositoryPaths.WebApiDll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's environment may change what is under test.
        foreach (var key in startInfo.Environment.Keys.Where(key => s_inheritedPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; private init; } = null!;

    public IReadOnlyList<string> StandardOutput => Snapshot(_stdout);

    public IReadOnlyList<string> StandardError => Snapshot(_stderr);

    public string Output => string.Join('\n', StandardOutput.Concat(StandardError));

    /// <summary>Runs WebApi with <paramref name="args"/> until it exits, as for <c>check --deploy</c> or a refused start.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError)> RunToExitAsync(
        IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var port = FreeLoopbackPorts.One();
        await using var webApi = new WebApiProcess(WithUrls(environment, port), args) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await webApi._process.WaitForExitAsync(timeout.Token);
        // The parameterless wait also drains the redirected streams.
        webApi._process.WaitForExit();
        return (webApi._process.ExitCode, webApi.StandardOutput, webApi.StandardError);
    }

    /// <summary>Starts WebApi and returns once <c>/health/live</c> answers 200, probed as the AppHost does (Host 127.0.0.1:PORT).</summary>
    public static async Task<WebApiProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var port = FreeLoopbackPorts.One();
        var webApi = new WebApiProcess(WithUrls(environment, port), []) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var client = webApi.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (webApi._process.HasExited)
            {
                var (exitCode, output) = (webApi._process.ExitCode, webApi.Output);
                await webApi.DisposeAsync();
                throw new InvalidOperationException($"WebApi exited with {exitCode} during start:\n{output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return webApi;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        var lastOutput = webApi.Output;
        await webApi.DisposeAsync();
        throw new TimeoutException($"WebApi did not become live:\n{lastOutput}");
    }

    /// <summary>A client that sends exactly what a test sets: no cookies, redirects or decompression of its own.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static Dictionary<string, string> WithUrls(IReadOnlyDictionary<string, string> environment, int port) =>
        new(environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };

    private static void Append(List<string> lines, string? line)
    {
        if (line is not null)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }
}
