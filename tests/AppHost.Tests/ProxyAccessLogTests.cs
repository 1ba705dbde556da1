using System.Text.Json;
using ReadinessAspire.Hosting;

namespace AppHost.Tests;

/// <summary>nginx's access log in a stack of its own whose log files roll over at 16 KiB.</summary>
public sealed class ProxyAccessLogTests : IAsyncLifetime
{
    private const int FileSizeLimit = 16 * 1024;
    private const int FileCount = 3;
    private DistributedApplication _app = null!;

    public async Task InitializeAsync() => _app = await StackFixture.StartAsync(
        builder =>
        {
            builder.Options.OutputFileSizeLimitBytes = FileSizeLimit;
            builder.Options.OutputFileCount = FileCount;
        },
        ["proxy"]);

    public Task DisposeAsync() => StackFixture.StopAsync(_app);

    [Fact]
    public async Task The_access_log_rolls_over_by_size_and_nginx_goes_on_writing_the_new_file()
    {
        using var client = ProxyClient.Create(_app);
        var active = ProxyClient.AccessLog(_app);

        // Far more than the limit (a line is about 400 bytes), until the AppHost has rolled the file over.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(Rolled(active, 1)))
        {
            for (var i = 0; i < 50; i++)
            {
                (await client.GetAsync("/health/live", timeout.Token)).Dispose();
            }

            await Task.Delay(200, timeout.Token);
        }

        // A request after the roll-over is written to the new active file: nginx reopened it.
        using var response = await client.GetAsync("/health/live", timeout.Token);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        while (!ReadShared(active).Contains(requestId, StringComparison.Ordinal))
        {
            await Task.Delay(200, timeout.Token);
        }

        var files = LogFilesOf(active).ToList();
        // Checked every 2 s, so a rolled file holds what came in until then: more than the limit, never nothing.
        Assert.InRange(files.Count, 2, FileCount);
        Assert.All(files.Where(file => file != active), file => Assert.True(new FileInfo(file).Length > FileSizeLimit));
        Assert.All(files.SelectMany(file => ReadShared(file).Split('\n', StringSplitOptions.RemoveEmptyEntries)), line => JsonDocument.Parse(line).Dispose());
    }

    private static string Rolled(string active, int index) => Path.ChangeExtension(active, $"{index}.log");

    private static IEnumerable<string> LogFilesOf(string active) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(active)!, "proxy-access*.log");

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
