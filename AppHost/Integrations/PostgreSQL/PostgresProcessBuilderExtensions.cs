using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Aspire.Hosting;

/// <summary>PostgreSQL for the AppHost: Debian's server as a local process when run, Aspire's container when published.</summary>
public static class PostgresProcessBuilderExtensions
{
    private const string ScriptPath = "Integrations/PostgreSQL/postgres-local.sh";

    /// <summary>
    /// Adds a PostgreSQL server named <paramref name="name"/>. Run: Debian's PostgreSQL on 127.0.0.1, its cluster kept
    /// in the AppHost's data directory across restarts, healthy once it answers a query. Publish: Aspire's PostgreSQL
    /// container with a data volume. Both take the generated secret parameter <c>{name}-password</c>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresServer(this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddPostgres(name, password: builder.CreateResourceBuilder(password)).WithDataVolume($"{name}-data");
        }

        LocalServers.ReadUserSecretsInEveryEnvironment(builder);
        builder.AddResource(password);
        var server = new PostgresProcessResource(name, builder.AppHostDirectory, password);
        var dataDirectory = Path.Combine(LocalServers.DataDirectory(builder), "volumes", $"{name}-data");
        var settings = builder.Configuration[$"{name}:Settings"]?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var binaries = FindBinaries();

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey, _ => new PostgresQueryHealthCheck(server, "postgres"), HealthStatus.Unhealthy, tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (_, _) =>
        {
            LocalServers.RequireFile(Path.Combine(binaries, "postgres"), "postgresql");
            return Task.CompletedTask;
        });
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<PostgresProcessDatabaseResource>().Where(d => d.Parent == server))
            {
                await CreateDatabaseAsync(server, database.DatabaseName, cancellationToken);
                // A database has no process of its own: it runs once it exists, and its health check says the rest.
                await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        });

        return builder.AddResource(server)
            .WithLocalEndpoint(PostgresProcessResource.PrimaryEndpointName, "tcp", port)
            .WithArgs(context =>
            {
                context.Args.Add(Path.Combine(builder.AppHostDirectory, ScriptPath));
                context.Args.Add(binaries);
                context.Args.Add(dataDirectory);
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.Port));
                foreach (var setting in settings)
                {
                    context.Args.Add("-c");
                    context.Args.Add(setting);
                }
            })
            .WithEnvironment("POSTGRES_PASSWORD", builder.CreateResourceBuilder(password))
            .WithIconName("Database")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>Adds a database to a server from <see cref="AddPostgresServer"/>: created once the server is healthy, healthy once it accepts connections.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresDatabase(this IResourceBuilder<IResourceWithConnectionString> server, [ResourceName] string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(name);
        databaseName ??= name;
        switch (server.Resource)
        {
            case PostgresServerResource official:
                return server.ApplicationBuilder.CreateResourceBuilder(official).AddDatabase(name, databaseName);
            case PostgresProcessResource local:
                var database = new PostgresProcessDatabaseResource(name, databaseName, local);
                var healthCheckKey = $"{name}_check";
                server.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey, _ => new PostgresQueryHealthCheck(local, databaseName), HealthStatus.Unhealthy, tags: null));
                return server.ApplicationBuilder.AddResource(database)
                    .WithParentRelationship(local)
                    .WithInitialState(new() { ResourceType = "PostgresDatabase", State = KnownResourceStates.NotStarted, Properties = [] })
                    .WithHealthCheck(healthCheckKey);
            default:
                throw new ArgumentException($"'{server.Resource.Name}' is not a PostgreSQL server from {nameof(AddPostgresServer)}.", nameof(server));
        }
    }

    /// <summary>A connection string for the AppHost's own probes: no pool, so it never holds server slots between them.</summary>
    internal static async Task<string> ProbeConnectionStringAsync(PostgresProcessResource server, string database, CancellationToken cancellationToken) =>
        new NpgsqlConnectionStringBuilder(await server.ConnectionStringExpression.GetValueAsync(cancellationToken))
        {
            Database = database,
            Pooling = false,
            Timeout = 3,
        }.ConnectionString;

    private static async Task CreateDatabaseAsync(PostgresProcessResource server, string databaseName, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(await ProbeConnectionStringAsync(server, "postgres", cancellationToken));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", databaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + databaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable CA2100 // The identifier is quoted; CREATE DATABASE cannot take a parameter.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
#pragma warning restore CA2100
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // The migrator, which starts beside the server and creates its database when it finds none, came first:
                // made before this statement (duplicate database) or while it ran (pg_database's unique name index).
            }
        }
    }

    /// <summary>The newest PostgreSQL that Debian's packages installed.</summary>
    private static string FindBinaries() =>
        (Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0)
                .FirstOrDefault()
            : null) ?? "/usr/lib/postgresql/15/bin";

    /// <summary>Healthy when the database answers <c>SELECT 1</c> with the server's password.</summary>
    private sealed class PostgresQueryHealthCheck(PostgresProcessResource server, string database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = new NpgsqlConnection(await ProbeConnectionStringAsync(server, database, cancellationToken));
                await connection.OpenAsync(cancellationToken);
                await using var query = new NpgsqlCommand("SELECT 1", connection);
                await query.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
