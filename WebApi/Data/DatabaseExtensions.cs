using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace WebApi.Data;

public static class DatabaseExtensions
{
    /// <summary>Name of the connection string (<c>ConnectionStrings:readiness</c>, env <c>ConnectionStrings__readiness</c>).</summary>
    public const string ConnectionName = "readiness";

    /// <summary>
    /// PostgreSQL allows 100 connections in all; every replica, the migrator and the exporters share them,
    /// so each replica's pool is capped well below Npgsql's default of 100.
    /// </summary>
    public const int DefaultMaxPoolSize = 16;

    private const string MaxPoolSizeKeyword = "Maximum Pool Size";

    public static IHostApplicationBuilder AddReadinessDatabase(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var configuration = builder.Configuration;

        // The connection string is read when the first context is created, not here, so the app
        // (and dotnet-ef, which runs Program) starts without one and without a reachable server.
        builder.Services.AddPooledDbContextFactory<ReadinessDbContext>(options =>
            options.UseNpgsql(GetConnectionString(configuration), npgsql =>
                // Few, short retries: a request should fail within seconds, not hang while PostgreSQL is away.
                npgsql.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(2), errorCodesToAdd: null)));

        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddHealthChecks()
            .AddNpgSql(_ => GetConnectionString(configuration), name: "postgres", timeout: TimeSpan.FromSeconds(2));

        return builder;
    }

    public static string GetConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var connectionString = configuration.GetRequiredConnectionString(ConnectionName);
        return WithPoolCap(connectionString, configuration.GetValue("Database:MaxPoolSize", DefaultMaxPoolSize));
    }

    /// <summary>Applies <paramref name="maxPoolSize"/> unless the connection string already chooses a pool size.</summary>
    public static string WithPoolCap(string connectionString, int maxPoolSize)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Keys lists only the keywords the string sets; ContainsKey would also be true for any valid unset keyword.
#pragma warning disable CA1841
        if (!builder.Keys.Contains(MaxPoolSizeKeyword))
#pragma warning restore CA1841
        {
            builder.MaxPoolSize = maxPoolSize;
        }

        return builder.ConnectionString;
    }
}
