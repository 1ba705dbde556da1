using System.Security.Cryptography;
using Aspire.Hosting.ApplicationModel;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>Blob storage for the AppHost: npm's Azurite as a local process when run, a real storage account's connection string when published.</summary>
public static class AzuriteBuilderExtensions
{
    /// <summary>The Azurite release <c>.ci/install</c> installs.</summary>
    internal const string NpmPackage = "azurite@3.37.0";

    private const string Command = "azurite-blob";

    /// <summary>Preloaded into Azurite: defers its telemetry client's load to first use (the script says why).</summary>
    private const string DeferTelemetryScript = "Integrations/Azurite/defer-telemetry.cjs";

    /// <summary>
    /// Adds blob storage named <paramref name="name"/>. Run: Azurite's blob service on 127.0.0.1, its blobs kept in the
    /// AppHost's data directory across restarts, one account named after the resource with a key generated once per
    /// data directory, healthy once an authenticated request succeeds. Publish: the connection-string parameter
    /// <paramref name="name"/>, which azd asks for (a real storage account's connection string).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddBlobStorage(this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddConnectionString(name);
        }

        var accountName = AccountName(name);
        var root = LocalServers.DataDirectory(builder);
        var dataDirectory = Path.Combine(root, "volumes", $"{name}-data");
        var keyFile = Path.Combine(root, "secrets", $"{name}-account-key");
        // Read (or generated) when the run starts, never in publish mode; shown masked on the dashboard like the passwords.
        var accountKey = new ParameterResource($"{name}-account-key", _ => ReadOrCreateAccountKey(keyFile), secret: true);
        builder.AddResource(accountKey);
        var storage = new AzuriteResource(name, FindCommand(), dataDirectory, accountName, accountKey);

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey, _ => new BlobServiceHealthCheck(storage), HealthStatus.Unhealthy, tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(storage, (_, _) =>
        {
            LocalServers.RequireFile(storage.Command, NpmPackage, "npm install -g");
            Directory.CreateDirectory(dataDirectory);
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return Task.CompletedTask;
        });

        return builder.AddResource(storage)
            .WithLocalEndpoint(AzuriteResource.PrimaryEndpointName, "http", port)
            .WithArgs(context =>
            {
                context.Args.Add("--location");
                context.Args.Add(dataDirectory);
                context.Args.Add("--blobHost");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--blobPort");
                context.Args.Add(storage.PrimaryEndpoint.Property(EndpointProperty.Port));
                // Azure.Storage.Blobs speaks a newer service version than Azurite declares; what we use works.
                context.Args.Add("--skipApiVersionCheck");
                // Accept headers and parameters Azurite does not implement instead of failing the request.
                context.Args.Add("--loose");
                // With telemetry on, Azurite may never exit on SIGTERM, and it would call out of the machine.
                context.Args.Add("--disableTelemetry");
            })
            // Quoted: NODE_OPTIONS splits on spaces, and the AppHost's folder may have some.
            .WithEnvironment("NODE_OPTIONS", $"--require \"{Path.Combine(builder.AppHostDirectory, DeferTelemetryScript)}\"")
            // Setting accounts replaces the well-known devstoreaccount1 and its published key.
            .WithEnvironment("AZURITE_ACCOUNTS", ReferenceExpression.Create($"{accountName}:{accountKey}"))
            .WithIconName("Storage")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>A storage account name (3 to 24 lowercase letters and digits) from the resource name.</summary>
    internal static string AccountName(string name)
    {
        var account = new string([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        return account.Length is >= 3 and <= 24
            ? account
            : throw new ArgumentException($"'{name}' does not make a storage account name (3 to 24 letters and digits).", nameof(name));
    }

    /// <summary>
    /// The account key kept in <paramref name="path"/>, or a new random 64-byte key (a real account key's size) written
    /// there, readable by its owner only. Kept beside the blobs rather than in user secrets: it belongs to this data.
    /// </summary>
    internal static string ReadOrCreateAccountKey(string path)
    {
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            return Convert.TryFromBase64String(stored, new byte[stored.Length], out var length) && length >= 32
                ? stored
                : throw new DistributedApplicationException($"{path} does not hold a base64 account key of at least 32 bytes; remove it to generate a new one");
        }

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        LocalServers.WritePrivateFile(path, key);
        return key;
    }

    /// <summary>Where npm put <c>azurite-blob</c> (its global prefix's bin, on PATH), else where npm puts it with Debian's Node.js.</summary>
    private static string FindCommand() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, Command))
            .FirstOrDefault(File.Exists) ?? Path.Combine("/usr/bin", Command);

    /// <summary>Healthy when the blob service answers an authenticated request with the account's key.</summary>
    private sealed class BlobServiceHealthCheck(AzuriteResource storage) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // One quick try per check: Aspire checks again soon, and the SDK's retries would hold a starting server's check for a minute.
            var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(3) } };
            try
            {
                var client = new BlobServiceClient(await storage.ConnectionStringExpression.GetValueAsync(cancellationToken), options);
                await client.GetPropertiesAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
