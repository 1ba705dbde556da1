using System.Data.Common;
using AppHost.Tests.Deployment;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Tests;

/// <summary>The evidence store on the running stack: Azurite healthy, reached with exactly the connection string webapi gets.</summary>
[Collection(StackTestGroup.Name)]
public sealed class AzuriteTests(StackFixture stack)
{
    /// <summary>Azurite's published development key (of devstoreaccount1), which anyone can use: never ours.</summary>
    public const string WellKnownAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task Webapi_gets_a_connection_string_that_writes_and_reads_back_a_blob_with_the_data_directory_s_own_key()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("evidence", timeout.Token);

        // What each replica was started with, as DCP reports its environment.
        var replicas = (await stack.App.WaitUntilAsync(
            s => s.Replicas("webapi") is [_, _] replicas && replicas.All(r => EvidenceConnectionString(r) is not null),
            timeout.Token)).Replicas("webapi");
        var connectionString = EvidenceConnectionString(replicas[0])!;
        Assert.Equal(connectionString, EvidenceConnectionString(replicas[1]));
        Assert.Equal(connectionString, await stack.App.GetConnectionStringAsync("evidence", timeout.Token));

        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var key = (string)parts["AccountKey"];
        Assert.Equal("evidence", parts["AccountName"]);
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/evidence$", (string)parts["BlobEndpoint"]);
        Assert.NotEqual(WellKnownAccountKey, key);
        var keyFile = Path.Combine(stack.DataDirectory, "secrets", "evidence-account-key");
        Assert.Equal(key, File.ReadAllText(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        var container = new BlobServiceClient(connectionString, Options()).GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: timeout.Token);
        try
        {
            var blob = container.GetBlobClient("reviews/42/screenshot.txt");
            await blob.UploadAsync(BinaryData.FromString("evidence of a passing check"), timeout.Token);

            Assert.Equal("evidence of a passing check", (await blob.DownloadContentAsync(timeout.Token)).Value.Content.ToString());
            var listed = new List<string>();
            await foreach (var item in container.GetBlobsAsync(cancellationToken: timeout.Token))
            {
                listed.Add(item.Name);
            }

            Assert.Equal(["reviews/42/screenshot.txt"], listed);
        }
        finally
        {
            await container.DeleteAsync(cancellationToken: CancellationToken.None);
        }

        // Azurite keeps its blobs and their index where the AppHost told it: the data directory.
        Assert.True(File.Exists(Path.Combine(stack.DataDirectory, "volumes", "evidence-data", "__azurite_db_blob__.json")));
    }

    [Fact]
    public async Task The_well_known_development_account_and_a_wrong_key_are_refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("evidence", timeout.Token);
        var port = stack.App.GetEndpoint("evidence", "blob").Port;
        var wrongKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

        var developmentAccount = await Assert.ThrowsAsync<RequestFailedException>(() => PropertiesAsync(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={WellKnownAccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;", timeout.Token));
        var guessed = await Assert.ThrowsAsync<RequestFailedException>(() => PropertiesAsync(
            $"DefaultEndpointsProtocol=http;AccountName=evidence;AccountKey={wrongKey};BlobEndpoint=http://127.0.0.1:{port}/evidence;", timeout.Token));

        Assert.Equal(403, guessed.Status);
        Assert.True(developmentAccount.Status is 403 or 404 or 400, $"devstoreaccount1 answered {developmentAccount.Status}");
        // The same request with the stack's own connection string succeeds: what failed above was the account or key.
        await PropertiesAsync((await stack.App.GetConnectionStringAsync("evidence", timeout.Token))!, timeout.Token);
    }

    [Fact]
    public async Task Azurite_runs_with_its_telemetry_client_loaded_on_first_use_not_when_required()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("evidence", timeout.Token);
        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState("evidence", out var evidence));
        var nodeOptions = evidence.Snapshot.EnvironmentVariables.Single(v => v.Name == "NODE_OPTIONS").Value;

        // Azurite's own copy of the module, required by the name Azurite requires it by.
        var command = stack.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<AzuriteResource>().Single().Command;
        var azuriteMain = File.ResolveLinkTarget(command, returnFinalTarget: true)?.FullName
            ?? throw new Xunit.Sdk.XunitException($"{command} is not npm's link to Azurite's main script");
        var modules = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(azuriteMain)!, "..", "..", "..", "node_modules"));
        const string Probe = """
            const loaded = () => Object.keys(require.cache).some(f => f.includes('/node_modules/applicationinsights/'));
            const insights = require('applicationinsights');
            const atRequire = loaded();
            console.log(`required: loaded ${atRequire}; first use: setup ${typeof insights.setup}, TelemetryClient ${typeof insights.TelemetryClient}; loaded ${loaded()}`);
            """;

        var deferred = await ChildProcessResult.RunAsync("node", ["-e", Probe], Path.GetTempPath(), new Dictionary<string, string?> { ["NODE_PATH"] = modules, ["NODE_OPTIONS"] = nodeOptions });
        var plain = await ChildProcessResult.RunAsync("node", ["-e", Probe], Path.GetTempPath(), new Dictionary<string, string?> { ["NODE_PATH"] = modules });

        Assert.Equal("required: loaded false; first use: setup function, TelemetryClient function; loaded true", deferred.Output.Trim());
        // Without the preload the same probe sees the module loaded at once: the probe can tell the two apart.
        Assert.Equal("required: loaded true; first use: setup function, TelemetryClient function; loaded true", plain.Output.Trim());
    }

    internal static BlobClientOptions Options() => new() { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(10) } };

    private static async Task<BlobServiceProperties> PropertiesAsync(string connectionString, CancellationToken cancellationToken) =>
        (await new BlobServiceClient(connectionString, Options()).GetPropertiesAsync(cancellationToken)).Value;

    private static string? EvidenceConnectionString(ResourceEvent replica) =>
        replica.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ConnectionStrings__evidence")?.Value;
}

/// <summary>The evidence store alone, run twice on one data directory as two AppHost runs would: what the first wrote, the second reads.</summary>
public sealed class AzuriteRestartTests : IDisposable
{
    private readonly string _dataDirectory = StackFixture.NewDataDirectory();

    [Fact]
    public async Task A_blob_and_the_key_survive_an_AppHost_restart_and_SIGTERM_stops_Azurite_cleanly()
    {
        string connectionString;
        await using (var first = await StartStorageAsync())
        {
            connectionString = (await first.GetConnectionStringAsync("evidence"))!;
            var container = new BlobServiceClient(connectionString, AzuriteTests.Options()).GetBlobContainerClient("kept");
            await container.CreateAsync();
            await container.GetBlobClient("note.txt").UploadAsync(BinaryData.FromString("kept across runs"));

            // SIGTERM, as DCP and a stopping AppHost send it: Azurite closes by itself (with telemetry off) and exits.
            Assert.True(first.ResourceNotifications.TryGetCurrentState("evidence", out var running));
            var azurite = LinuxProcess.Find(running.ProcessId() ?? throw new Xunit.Sdk.XunitException("evidence reports no pid"));
            Assert.NotNull(azurite);
            azurite.Signal(15);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (azurite.IsAlive && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(azurite.IsAlive, "Azurite still runs 10 s after SIGTERM");
            await first.StopAsync();
        }

        await using var second = await StartStorageAsync();
        var next = (await second.GetConnectionStringAsync("evidence"))!;
        var blob = new BlobServiceClient(next, AzuriteTests.Options()).GetBlobContainerClient("kept").GetBlobClient("note.txt");

        Assert.Equal("kept across runs", (await blob.DownloadContentAsync()).Value.Content.ToString());
        // The same account key, read back from the data directory; only the port may differ between runs.
        Assert.Equal(KeyOf(connectionString), KeyOf(next));
        await second.StopAsync();
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    /// <summary>The AppHost's model with only the storage and its key left: nothing else needs to run for this.</summary>
    private async Task<DistributedApplication> StartStorageAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--AppHost:DataDirectory={_dataDirectory}"],
            (options, _) => options.DisableDashboard = true);
        foreach (var other in builder.Resources.Where(r => r.Name is not ("evidence" or "evidence-account-key")).ToList())
        {
            builder.Resources.Remove(other);
        }

        var app = await builder.BuildAsync();
        try
        {
            using var timeout = new CancellationTokenSource(StackFixture.StartTimeout);
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("evidence", timeout.Token);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static string KeyOf(string connectionString) => (string)new DbConnectionStringBuilder { ConnectionString = connectionString }["AccountKey"];
}
