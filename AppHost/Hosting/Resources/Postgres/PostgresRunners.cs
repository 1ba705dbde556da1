using Microsoft.Extensions.Logging;
using Npgsql;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

/// <summary>
/// PostgreSQL from Debian's packages: initdb on first run (scram-sha-256, the generated password), then the
/// postmaster on 127.0.0.1. As root, both run as the unprivileged <c>postgres</c> user, since PostgreSQL refuses root.
/// </summary>
internal sealed class PostgresServerRunner(PostgresServerResource postgres, RunnerContext context) : ProcessResourceRunner(postgres, context)
{
    private readonly string? _binaries = FindBinaries();
    private string _dataDirectory = string.Empty;

    // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for pooled clients to leave.
    protected override int StopSignal => NativeMethods.SIGINT;

    // Looked up once: every start (and restart) of the server needs it.
    private static readonly Lazy<UnixUser?> s_serverUser = new(() => NativeMethods.IsRoot ? UnixUser.Find("postgres") : null);

    private static UnixUser? ServerUser => s_serverUser.Value;

    public override IEnumerable<string> MissingPrerequisites()
    {
        if (_binaries is null)
        {
            yield return $"{postgres.Name}: PostgreSQL server not found in /usr/lib/postgresql/*/bin; install it: apt-get install -y postgresql";
        }
        else if (NativeMethods.IsRoot && ServerUser is null)
        {
            yield return $"{postgres.Name}: PostgreSQL refuses to run as root and there is no 'postgres' user; install it: apt-get install -y postgresql";
        }
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var volume = postgres.Annotation<DataVolumeAnnotation>();
        _dataDirectory = volume is null
            ? Path.Combine(Context.DataDirectory, "run", $"{postgres.Name}-data")
            : Path.Combine(Context.DataDirectory, "volumes", volume.Name);
        if (volume is null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true); // Without a volume, every run starts empty, as a container would.
        }

        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_dataDirectory)!);
        File.SetUnixFileMode(Path.GetDirectoryName(_dataDirectory)!, (UnixFileMode)0b111_101_101);
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var initdbDirectory = Path.Combine(Context.DataDirectory, "run", $"{postgres.Name}-initdb");
        foreach (var directory in new[] { _dataDirectory, initdbDirectory })
        {
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, ownerOnly);
        }

        // initdb reads the superuser's password from a file: it never appears on a command line.
        var passwordFile = Path.Combine(initdbDirectory, "password");
        await File.WriteAllTextAsync(passwordFile, postgres.PasswordParameter.Value, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (ServerUser is { } user)
        {
            NativeMethods.ChangeOwner(_dataDirectory, user);
            NativeMethods.ChangeOwner(initdbDirectory, user);
            NativeMethods.ChangeOwner(passwordFile, user);
        }

        try
        {
            var initdb = new ProcessSpec(
                Path.Combine(_binaries!, "initdb"),
                ["-D", _dataDirectory, "-U", PostgresServerResource.UserName, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C.UTF-8", "-N"],
                new Dictionary<string, string>(),
                "/")
            { User = ServerUser };
            var exitCode = await ProcessLauncher.RunToCompletionAsync($"{postgres.Name}-initdb", initdb, Context.Output, cancellationToken);
            if (exitCode != 0)
            {
                throw new ResourceStartException($"initdb exited with code {exitCode}; see {Context.Output.LogFile($"{postgres.Name}-initdb")}");
            }
        }
        finally
        {
            Directory.Delete(initdbDirectory, recursive: true);
        }
    }

    protected override Task<ProcessSpec> CreateProcessSpecAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken) =>
        Task.FromResult(new ProcessSpec(
            Path.Combine(_binaries!, "postgres"),
            ["-D", _dataDirectory, "-c", "listen_addresses=127.0.0.1", "-p", instance.Ports["tcp"].ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", $"unix_socket_directories={_dataDirectory}", .. Context.Options.PostgresSettings.SelectMany(s => new[] { "-c", s })],
            new Dictionary<string, string>(),
            _dataDirectory)
        { User = ServerUser });

    protected override async Task<bool?> IsHealthyAsync(ResourceInstanceInfo instance, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(await PostgresConnections.ServerAsync(postgres, cancellationToken));
        await connection.OpenAsync(cancellationToken);
        return true;
    }

    /// <summary>The newest PostgreSQL installed by Debian's packages.</summary>
    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
}

/// <summary>Creates the database once its server is healthy, then reports healthy while it accepts connections.</summary>
internal sealed class PostgresDatabaseRunner(PostgresDatabaseResource database, RunnerContext context) : ResourceRunner(database, context)
{
    public override async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await WaitForDependenciesAsync(stopping);
            Update(0, s => s with { State = ResourceState.Starting });
            await CreateDatabaseAsync(stopping);
            while (!stopping.IsCancellationRequested)
            {
                var healthy = await IsHealthyAsync(stopping);
                Update(0, s => s with { State = healthy ? ResourceState.Healthy : ResourceState.Unhealthy, Health = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy });
                await Task.Delay(TimeSpan.FromSeconds(1), stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is DependencyFailedException or NpgsqlException)
        {
            Context.Notifications.SetMessage(database.Name, ex.Message);
            Update(0, s => s with { State = ResourceState.FailedToStart, Health = HealthStatus.Unhealthy });
        }
    }

    public override Task StopAsync(TimeSpan grace)
    {
        Update(0, s => s with { State = ResourceState.Exited, Health = HealthStatus.Unknown });
        return Task.CompletedTask;
    }

    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(await PostgresConnections.ServerAsync(database.Parent, cancellationToken));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database.DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable CA2100 // The identifier is quoted; CREATE DATABASE cannot take a parameter.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
#pragma warning restore CA2100
            await create.ExecuteNonQueryAsync(cancellationToken);
            Context.Logger.DatabaseCreated(database.DatabaseName, database.Parent.Name);
        }
    }

    private async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var builder = new NpgsqlConnectionStringBuilder(await PostgresConnections.ServerAsync(database.Parent, cancellationToken)) { Database = database.DatabaseName };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

internal static class PostgresConnections
{
    /// <summary>A probe's connection: no pool, so the AppHost never holds server slots between probes.</summary>
    public static async Task<string> ServerAsync(PostgresServerResource postgres, CancellationToken cancellationToken) =>
        new NpgsqlConnectionStringBuilder(await postgres.ConnectionStringExpression.GetValueAsync(cancellationToken))
        {
            Database = "postgres",
            Pooling = false,
            Timeout = 2,
        }.ConnectionString;
}
