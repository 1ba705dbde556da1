using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace WebApi.Data;

public static class DatabaseExtensions
{
    /// <summary>Name of the connection string (<c>ConnectionStrings:readiness</c>, env <c>ConnectionStrings__readiness</c>).</summary>
    public const string ConnectionName = "readiness";

    /// <summary>
    /// PostgreSQL allows 100 connections in all; every replica, the migrator and the exporters share them,
    /// so each replica's pool is capped well below Npgsql's default of 100. Eight rather than sixteen: on 2 cores a
    /// replica served its uncached reads 3-8% faster with the lower p99 (bench/README.md, pool size).
    /// </summary>
    public const int DefaultMaxPoolSize = 8;

    /// <summary>
    /// How many statements each connection keeps prepared (<c>Database:MaxAutoPrepare</c>). Without it PostgreSQL plans
    /// every statement again on every request (an unnamed statement is planned at bind); measured in bench/README.md.
    /// EF Core's statements are few and fixed, so 64 covers them all. 0 turns preparation off, as a connection pooler
    /// between WebApi and PostgreSQL that cannot keep prepared statements (PgBouncer in transaction mode) requires.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    private const string MaxPoolSizeKeyword = "Maximum Pool Size";
    private const string MaxAutoPrepareKeyword = "Max Auto Prepare";
    private const string NoResetOnCloseKeyword = "No Reset On Close";

    public static IHostApplicationBuilder AddReadinessDatabase(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var configuration = builder.Configuration;

        // The connection string is read when the first context is created, not here, so the app
        // (and dotnet-ef, which runs Program) starts without one and without a reachable server.
        builder.Services.AddSingleton<PreparedStatementReset>();
        builder.Services.AddPooledDbContextFactory<ReadinessDbContext>((services, options) =>
            options.UseNpgsql(GetConnectionString(configuration), npgsql =>
                    // Few, short retries: a request should fail within seconds, not hang while PostgreSQL is away.
                    npgsql.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(2), errorCodesToAdd: null))
                .AddInterceptors(services.GetRequiredService<PreparedStatementReset>())
                // Otherwise every MigrateAsync compares the model with the migrations' snapshot: two more model builds
                // and a diff in each start of the migrator (bench/README.md, the migrator's model check). A test holds
                // the model to the snapshot on every build instead (MigrationSnapshotTests).
                .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.PendingModelChangesWarning)));

        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddHealthChecks()
            .AddNpgSql(_ => GetConnectionString(configuration), name: "postgres", timeout: TimeSpan.FromSeconds(2));

        return builder;
    }

    public static string GetConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var connectionString = configuration.GetRequiredConnectionString(ConnectionName);
        return WithDefaults(
            connectionString,
            configuration.GetValue("Database:MaxPoolSize", DefaultMaxPoolSize),
            configuration.GetValue("Database:MaxAutoPrepare", DefaultMaxAutoPrepare));
    }

    /// <summary>
    /// Applies <paramref name="maxPoolSize"/> and <paramref name="maxAutoPrepare"/> where the connection string does not
    /// already choose them, and hands a pooled connection on without resetting its session.
    /// </summary>
    /// <remarks>
    /// Npgsql otherwise prepends seven statements (<c>SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *;
    /// SELECT pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP</c>) to the first command of every reuse, and
    /// EF Core opens and closes the connection for every query outside a transaction: a replica served its uncached
    /// reads about a fifth faster without them (bench/README.md, the session reset). The reset clears session state,
    /// and WebApi keeps none: no session <c>SET</c>, no temporary tables, no <c>LISTEN</c>, and advisory locks that end
    /// with their transaction or are released before the connection closes (IdempotencyFilter). An open transaction is
    /// still rolled back when its connection returns to the pool. Code that needs session state must set
    /// <c>No Reset On Close=false</c> in the connection string.
    /// </remarks>
    public static string WithDefaults(string connectionString, int maxPoolSize, int maxAutoPrepare)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(builder, MaxPoolSizeKeyword))
        {
            builder.MaxPoolSize = maxPoolSize;
        }

        if (!Sets(builder, MaxAutoPrepareKeyword))
        {
            builder.MaxAutoPrepare = maxAutoPrepare;
        }

        if (!Sets(builder, NoResetOnCloseKeyword))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    // Keys lists only the keywords the string sets; ContainsKey would also be true for any valid unset keyword.
#pragma warning disable CA1841
    private static bool Sets(NpgsqlConnectionStringBuilder builder, string keyword) => builder.Keys.Contains(keyword);
#pragma warning restore CA1841
}
