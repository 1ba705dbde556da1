using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>The real AppHost program in a child process, as `dotnet run --project AppHost` runs it, on its own ports and data.</summary>
internal sealed class AppHostProcess : IDisposable
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostProcess(Process process, Uri resourceApi)
    {
        _process = process;
        ResourceApi = new HttpClient { BaseAddress = resourceApi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient ResourceApi { get; }

    public int Pid => _process.Id;

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

    public static AppHostProcess Start(string dataDirectory, IDictionary<string, string>? environment = null)
    {
        var apiPort = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { new Projects.AppHost().TargetPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["AppHost__DataDirectory"] = dataDirectory,
                ["AppHost__SecretsFile"] = Path.Combine(dataDirectory, "secrets.json"),
                ["AppHost__ResourceApiPort"] = apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["AppHost__RandomizePorts"] = "true",
                ["AppHost__PostgresSettings__0"] = "fsync=off",
            },
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new AppHostProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{apiPort}"));
    }

    public async Task<JsonElement[]> ResourcesAsync() => (await ResourceApi.GetFromJsonAsync<JsonElement[]>("/api/resources", s_web))!;

    /// <summary>Polls the resource API until every long-running resource is healthy.</summary>
    public async Task<JsonElement[]> WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(_process.HasExited, $"The AppHost exited with code {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                var resources = await ResourcesAsync();
                if (resources.All(r => r.GetProperty("state").GetString() is "Healthy" or "Finished"))
                {
                    return resources;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not healthy within {timeout}:\n{Output}");
            await Task.Delay(200);
        }
    }

    public void Signal(int signal) => Process.Start("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal(15);
            _process.WaitForExit(15_000);
        }

        _process.Dispose();
        ResourceApi.Dispose();
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
