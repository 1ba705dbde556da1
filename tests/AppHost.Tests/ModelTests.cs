using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AppHost.Tests;

/// <summary>The AppHost's model and its parameters, from Aspire's testing builder, without starting any server.</summary>
public sealed class ModelTests : IDisposable
{
    private static readonly string[] s_localServers = ["postgres", "cache", "evidence", "proxy", "prometheus", "proxy-exporter", "cache-exporter", "postgres-exporter"];
    private readonly string _dataDirectory = StackFixture.NewDataDirectory();
    private readonly string _userSecretsId = $"readinessaspire-tests-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_generated_secret_is_long_enough_alphanumeric_and_the_same_in_the_next_run()
    {
        var first = await ParameterValueAsync("postgres-password");
        var second = await ParameterValueAsync("postgres-password");

        Assert.True(first.Length >= 22, $"only {first.Length} characters");
        Assert.All(first, c => Assert.True(char.IsAsciiLetterOrDigit(c), $"'{c}' in a password that goes into connection strings and URLs"));
        // Aspire keeps a generated value in the AppHost's user-secrets store, and the next run reads it from there.
        Assert.Equal(first, StoredSecret("Parameters:postgres-password"));
        Assert.Equal(first, second);
        Assert.NotEqual(first, await ParameterValueAsync("cache-password"));
    }

    [Fact]
    public async Task Parameters_from_configuration_win_over_the_stored_secret()
    {
        var stored = await ParameterValueAsync("cache-password");

        var configured = await ParameterValueAsync("cache-password", "--Parameters:cache-password=ConfiguredOutsideTheStore42");

        Assert.Equal("ConfiguredOutsideTheStore42", configured);
        Assert.Equal(stored, StoredSecret("Parameters:cache-password"));
        Assert.Equal(stored, await ParameterValueAsync("cache-password"));
    }

    [Fact]
    public async Task The_API_runs_two_replicas_behind_DCP_s_proxy_while_every_server_binds_its_own_port_and_has_a_health_check()
    {
        await using var builder = await CreateBuilderAsync();
        var resources = builder.Resources;

        var webApi = Assert.Single(resources, r => r.Name == "webapi");
        Assert.Equal(2, webApi.Annotations.OfType<ReplicaAnnotation>().Last().Replicas);
        Assert.All(webApi.Annotations.OfType<EndpointAnnotation>(), e => Assert.True(e.IsProxied, $"webapi's {e.Name} endpoint"));
        Assert.NotEmpty(webApi.Annotations.OfType<EndpointAnnotation>());
        Assert.NotEmpty(webApi.Annotations.OfType<HealthCheckAnnotation>());

        foreach (var name in s_localServers)
        {
            var server = Assert.Single(resources, r => r.Name == name);
            Assert.IsType<ExecutableResource>(server, exactMatch: false);
            var endpoints = server.Annotations.OfType<EndpointAnnotation>().ToList();
            Assert.NotEmpty(endpoints);
            Assert.All(endpoints, e => Assert.False(e.IsProxied, $"{name}'s {e.Name} endpoint goes through DCP's proxy"));
            Assert.True(server.Annotations.OfType<HealthCheckAnnotation>().Any(), $"{name} has no health check");
        }
    }

    [Fact]
    public async Task Every_local_server_has_ports_of_its_own_held_until_it_starts()
    {
        await using var builder = await CreateBuilderAsync();

        var ports = builder.Resources.Where(r => s_localServers.Contains(r.Name))
            .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>().Select(e => (Endpoint: $"{r.Name} {e.Name}", Port: e.Port!.Value)))
            .ToList();

        Assert.True(ports.Count >= s_localServers.Length, $"{ports.Count} ports");
        Assert.Equal(ports.Count, ports.DistinctBy(p => p.Port).Count());
        // DCP hands the projects' ports out from the same range as the run starts, testing each by binding it to every
        // address: a port held until its server starts is one it cannot hand out.
        Assert.All(ports, p => Assert.True(Binds(p.Port) is SocketError.AddressAlreadyInUse, $"{p.Endpoint}: port {p.Port} is not held"));

        static SocketError Binds(int port)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
                return SocketError.Success;
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode;
            }
        }
    }

    [Fact]
    public async Task Blob_storage_runs_Azurite_on_loopback_with_its_data_in_the_data_directory_and_its_key_only_in_the_environment()
    {
        await using var builder = await CreateBuilderAsync();

        var storage = Assert.Single(builder.Resources.OfType<AzuriteResource>());
        Assert.Equal("evidence", storage.Name);
        Assert.Equal("azurite-blob", Path.GetFileName(storage.Command));
        Assert.Equal("evidence", storage.AccountName);
        var endpoint = Assert.Single(storage.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(("blob", "http", false), (endpoint.Name, endpoint.UriScheme, endpoint.IsProxied));
        Assert.Equal(endpoint.Port, endpoint.TargetPort);

        var args = await ArgumentsAsync(storage);
        var port = Assert.IsType<EndpointReferenceExpression>(args[5]);
        Assert.Equal(("blob", EndpointProperty.Port), (port.Endpoint.EndpointName, port.Property));
        var data = Path.Combine(_dataDirectory, "volumes", "evidence-data");
        Assert.Equal(["--location", data, "--blobHost", "127.0.0.1", "--blobPort", "{port}", "--skipApiVersionCheck", "--loose", "--disableTelemetry"], args.Select(a => a as string ?? "{port}"));

        var key = await storage.AccountKeyParameter.GetValueAsync(CancellationToken.None);
        Assert.NotNull(key);
        Assert.True(storage.AccountKeyParameter.Secret);
        Assert.Equal($"evidence:{key}", await EnvironmentValueAsync(builder, storage, "AZURITE_ACCOUNTS"));
        Assert.DoesNotContain(args, a => a is string text && text.Contains(key, StringComparison.Ordinal));
        Assert.Contains(storage.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "evidence_check");
    }

    [Fact]
    public async Task The_blob_account_key_is_random_64_bytes_kept_0600_in_the_data_directory_and_the_same_in_the_next_run()
    {
        var first = await AccountKeyAsync(_dataDirectory);
        var second = await AccountKeyAsync(_dataDirectory);
        var other = StackFixture.NewDataDirectory();
        string elsewhere;
        try
        {
            elsewhere = await AccountKeyAsync(other);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }

        Assert.Equal(64, Convert.FromBase64String(first).Length);
        Assert.NotEqual(AzuriteTests.WellKnownAccountKey, first);
        Assert.Equal(first, second);
        Assert.NotEqual(first, elsewhere);
        var file = Path.Combine(_dataDirectory, "secrets", "evidence-account-key");
        Assert.Equal(first, File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        // Nothing of it in the user-secrets store, where the passwords are: it belongs to the data beside it.
        Assert.Null(StoredSecret("Parameters:evidence-account-key"));
    }

    [Fact]
    public async Task Building_the_model_makes_no_data_protection_certificate_until_a_service_s_environment_asks_for_it()
    {
        await using var builder = await CreateBuilderAsync();

        // Made at model build, it was written by a thread nobody waited for, into a directory its test was deleting.
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "dataprotection")));
    }

    [Fact]
    public async Task A_model_disposed_unbuilt_makes_no_certificate_when_Aspire_s_entry_point_goes_on_to_run_it()
    {
        var startHooksRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var builder = await CreateBuilderAsync())
        {
            // Handlers of an event run in the order they subscribed: this one after the AppHost's own.
            builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
            {
                startHooksRan.TrySetResult();
                return Task.CompletedTask;
            });
        }

        // Aspire 13.6's testing builder, disposed unbuilt, returns at once and lets the AppHost's entry point go on to
        // build and run the application, whose start it has cancelled: the start hooks run on a thread nobody waits for,
        // while the test deletes the data directory.
        await startHooksRan.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "dataprotection")));
    }

    [Fact]
    public async Task The_migrator_and_the_replicas_share_one_data_protection_certificate_made_once_and_kept_for_the_next_run()
    {
        string path, password;
        await using (var builder = await CreateBuilderAsync())
        {
            var migrator = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "migrator");
            var webapi = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "webapi");
            path = (await EnvironmentValueAsync(builder, migrator, "DataProtection__CertificatePath"))!;
            password = (await EnvironmentValueAsync(builder, migrator, "DataProtection__CertificatePassword"))!;
            Assert.Equal(path, await EnvironmentValueAsync(builder, webapi, "DataProtection__CertificatePath"));
            Assert.Equal(password, await EnvironmentValueAsync(builder, webapi, "DataProtection__CertificatePassword"));
        }

        Assert.Equal(Path.Combine(_dataDirectory, "dataprotection", "keys.pfx"), path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode($"{path}.password"));
        // Written beside its place and renamed over it: nothing of the write is left.
        Assert.Equal(["keys.pfx", "keys.pfx.password"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var made = File.ReadAllBytes(path);
        using (var certificate = X509CertificateLoader.LoadPkcs12(made, password))
        {
            Assert.True(certificate.HasPrivateKey);
            Assert.Equal(3072, certificate.GetRSAPublicKey()!.KeySize);
        }

        // The next run reads the same certificate: keys it wrote stay readable.
        await using (var next = await CreateBuilderAsync())
        {
            var webapi = next.Resources.OfType<ProjectResource>().Single(r => r.Name == "webapi");
            Assert.Equal(path, await EnvironmentValueAsync(next, webapi, "DataProtection__CertificatePath"));
            Assert.Equal(password, await EnvironmentValueAsync(next, webapi, "DataProtection__CertificatePassword"));
        }

        Assert.Equal(made, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_damaged_account_key_file_is_an_error_naming_the_file_and_is_never_replaced()
    {
        var file = Path.Combine(_dataDirectory, "secrets", "evidence-account-key");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "not base64!");

        var error = Assert.Throws<DistributedApplicationException>(() => AzuriteBuilderExtensions.ReadOrCreateAccountKey(file));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Equal("not base64!", File.ReadAllText(file));
    }

    [Fact]
    public void A_missing_azurite_blob_names_the_npm_package_that_ci_install_installs()
    {
        var error = Assert.Throws<DistributedApplicationException>(() => LocalServers.RequireFile("/usr/bin/no-such-azurite-blob", AzuriteBuilderExtensions.NpmPackage, "npm install -g"));

        Assert.Equal($"/usr/bin/no-such-azurite-blob not found; install it with: npm install -g {AzuriteBuilderExtensions.NpmPackage} (or run bash .ci/install)", error.Message);
        Assert.Contains($"azurite=\"{AzuriteBuilderExtensions.NpmPackage}\"", File.ReadAllLines(AppHost.Tests.Deployment.RepositoryFiles.Path(".ci", "install")));
    }

    [Theory]
    [InlineData("evidence", "evidence")]
    [InlineData("Review-Evidence-2", "reviewevidence2")]
    public void The_storage_account_is_named_after_the_resource_in_letters_and_digits(string name, string account) =>
        Assert.Equal(account, AzuriteBuilderExtensions.AccountName(name));

    [Theory]
    [InlineData("ev")]
    [InlineData("a-b")]
    [InlineData("evidence-of-every-review-ever")]
    public void A_resource_name_that_makes_no_storage_account_name_is_refused(string name) =>
        Assert.Contains($"'{name}'", Assert.Throws<ArgumentException>(() => AzuriteBuilderExtensions.AccountName(name)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_missing_server_binary_is_one_line_naming_the_Debian_package()
    {
        var error = Assert.Throws<DistributedApplicationException>(() => LocalServers.RequireFile("/usr/sbin/no-such-server-binary", "no-such-server"));

        Assert.Equal("/usr/sbin/no-such-server-binary not found; install it with: apt-get install -y no-such-server (or run bash .ci/install)", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_server_whose_binary_is_missing_fails_to_start_with_that_line_in_its_log_and_never_runs()
    {
        await using var builder = await CreateBuilderAsync();
        // Only a server like ours whose check fails: nothing else of the model needs to start for this.
        builder.Resources.Clear();
        var legacy = new ExecutableResource("legacy", "/usr/sbin/no-such-server-binary", _dataDirectory);
        builder.AddResource(legacy);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(legacy, (_, _) =>
        {
            LocalServers.RequireFile(legacy.Command, "no-such-server");
            return Task.CompletedTask;
        });
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await app.StartAsync(timeout.Token); // Aspire starts the application; the one resource fails on its own.
        await app.ResourceNotifications.WaitForResourceAsync("legacy", KnownResourceStates.FailedToStart, timeout.Token);

        var expected = "/usr/sbin/no-such-server-binary not found; install it with: apt-get install -y no-such-server (or run bash .ci/install)";
        var log = new List<string>();
        using (var logTimeout = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token))
        {
            logTimeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(legacy).WithCancellation(logTimeout.Token))
                {
                    log.AddRange(batch.Select(l => l.Content));
                    if (log.Any(l => l.Contains(expected, StringComparison.Ordinal)))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
            }
        }

        Assert.True(log.Any(l => l.Contains(expected, StringComparison.Ordinal)), string.Join("\n", log));
        Assert.True(app.ResourceNotifications.TryGetCurrentState("legacy", out var state));
        Assert.DoesNotContain(state.Snapshot.Properties, p => p.Name == "executable.pid" && p.Value is not null);
        await app.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task Every_health_check_of_the_model_is_polled_while_its_resource_starts()
    {
        await using var builder = await CreateBuilderAsync();
        await using var app = await builder.BuildAsync();

        var registrations = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Contains(registrations, r => r.Name.StartsWith("webapi", StringComparison.Ordinal));
        Assert.Contains(registrations, r => r.Name == "evidence_check");
        Assert.All(registrations, r => Assert.IsType<StartupHealthPoll>(r.Factory(app.Services)));
    }

    [Theory]
    [InlineData("webapi")]
    [InlineData("backup")]
    [InlineData("static")]
    public async Task A_service_is_checked_on_each_replica_s_own_port_not_through_DCP_s_proxy(string name)
    {
        await using var builder = await CreateBuilderAsync();
        var service = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == name);
        await using var app = await builder.BuildAsync();

        // DCP's proxy holds a request for a replica that does not listen yet and retries it with a growing delay.
        var key = Assert.Single(service.Annotations.OfType<HealthCheckAnnotation>()).Key;
        Assert.Equal($"{name}_http_/health/ready_replicas_check", key);
        var registration = Assert.Single(app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == key);
        Assert.IsType<StartupHealthPoll>(registration.Factory(app.Services));
        // Each replica reports its own port in its environment, from which the check asks it.
        var environment = new Dictionary<string, object>();
        foreach (var callback in service.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(new EnvironmentCallbackContext(builder.ExecutionContext, service, environment, CancellationToken.None));
        }

        var port = Assert.IsType<EndpointReferenceExpression>(environment["REPLICA_HTTP_PORT"]);
        Assert.Equal(("http", EndpointProperty.TargetPort), (port.Endpoint.EndpointName, port.Property));
    }

    [Fact]
    public async Task Backup_starts_on_the_migrator_s_last_line_which_WebApi_writes_as_the_AppHost_reads_it()
    {
        await using var builder = await CreateBuilderAsync();
        var backup = builder.Resources.Single(r => r.Name == "backup");
        var source = File.ReadAllText(AppHost.Tests.Deployment.RepositoryFiles.Path("WebApi", "Data", "MigrationCommand.cs"));

        Assert.Contains(backup.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource.Name == "migrator" && r.Type == "WaitsForMigration");
        // Not Aspire's wait for the migrator's exit, which DCP reports 0.5 s after it.
        Assert.DoesNotContain(backup.Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "migrator");
        Assert.Contains($"public const string DoneLine = \"{ServiceProjectBuilderExtensions.MigrationDoneLine}\";", source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_waiting_for_the_migration_starts_on_the_migrator_s_last_line_before_the_migrator_exits()
    {
        var (migrator, _) = await RunMigrationPairAsync($"echo '{ServiceProjectBuilderExtensions.MigrationDoneLine}'; exec sleep 120", KnownResourceStates.Running);

        Assert.Equal(KnownResourceStates.Running, migrator.State?.Text);
    }

    [Fact]
    public async Task A_service_waiting_for_the_migration_fails_to_start_when_the_migrator_fails_and_never_runs()
    {
        var (migrator, service) = await RunMigrationPairAsync("echo 'migrate: failed: no database' >&2; exit 3", KnownResourceStates.FailedToStart);

        Assert.Equal(3, migrator.ExitCode);
        Assert.DoesNotContain(service.Properties, p => p.Name == "executable.pid" && p.Value is not null);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        var secrets = Path.GetDirectoryName(AppHostProcess.UserSecretsFile(_userSecretsId))!;
        if (Directory.Exists(secrets))
        {
            Directory.Delete(secrets, recursive: true);
        }
    }

    /// <summary>
    /// The AppHost's model as a run builds it, with this test's throwaway data directory and its own user-secrets
    /// store (ASPIRE_USER_SECRETS_ID), shared by every builder of the test as by the runs of one AppHost.
    /// </summary>
    private Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(params string[] args) => CreateBuilderOnAsync(_dataDirectory, args);

    private async Task<IDistributedApplicationTestingBuilder> CreateBuilderOnAsync(string dataDirectory, params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--AppHost:DataDirectory={dataDirectory}", $"--ASPIRE_USER_SECRETS_ID={_userSecretsId}", .. args],
            (options, _) => options.DisableDashboard = true);

    private async Task<string> ParameterValueAsync(string name, params string[] args)
    {
        await using var builder = await CreateBuilderAsync(args);
        // Run mode keeps the generated password parameters inside the servers that use them.
        var parameter = builder.Resources.OfType<PostgresProcessResource>().Select(r => r.PasswordParameter)
            .Concat(builder.Resources.OfType<RedisProcessResource>().Select(r => r.PasswordParameter))
            .Single(p => p.Name == name);
        Assert.True(parameter.Secret);
        return (await parameter.GetValueAsync(CancellationToken.None))!;
    }

    private async Task<string> AccountKeyAsync(string dataDirectory)
    {
        await using var builder = await CreateBuilderOnAsync(dataDirectory);
        return (await Assert.Single(builder.Resources.OfType<AzuriteResource>()).AccountKeyParameter.GetValueAsync(CancellationToken.None))!;
    }

    /// <summary>
    /// Only a migrator running <paramref name="migratorScript"/> and a service that waits for its migration; both as
    /// they are once the service reaches <paramref name="serviceState"/>.
    /// </summary>
    private async Task<(CustomResourceSnapshot Migrator, CustomResourceSnapshot Service)> RunMigrationPairAsync(string migratorScript, string serviceState)
    {
        await using var builder = await CreateBuilderAsync();
        builder.Resources.Clear();
        var migrator = builder.AddExecutable("migrator", "bash", _dataDirectory, "-c", migratorScript);
        builder.AddExecutable("service", "sleep", _dataDirectory, "120").WaitForMigration(migrator);
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceAsync("service", serviceState, timeout.Token);

        Assert.True(app.ResourceNotifications.TryGetCurrentState("migrator", out var migratorState));
        Assert.True(app.ResourceNotifications.TryGetCurrentState("service", out var serviceNow));
        await app.StopAsync(timeout.Token);
        return (migratorState.Snapshot, serviceNow.Snapshot);
    }

    /// <summary>The arguments as the resource's callbacks write them, unresolved: endpoint ports are known only in a run.</summary>
    private static async Task<List<object>> ArgumentsAsync(ExecutableResource resource)
    {
        var args = new List<object>();
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(args, resource, CancellationToken.None));
        }

        return args;
    }

    private static async Task<string?> EnvironmentValueAsync(IDistributedApplicationTestingBuilder builder, IResource resource, string name)
    {
        var environment = new Dictionary<string, object>();
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(new EnvironmentCallbackContext(builder.ExecutionContext, resource, environment, CancellationToken.None));
        }

        return environment[name] is IValueProvider value ? await value.GetValueAsync(CancellationToken.None) : environment[name] as string;
    }

    private string? StoredSecret(string key)
    {
        var file = AppHostProcess.UserSecretsFile(_userSecretsId);
        return File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file))?[key]?.GetValue<string>() : null;
    }
}
