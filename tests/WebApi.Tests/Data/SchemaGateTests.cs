using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ReadinessAspire.Testing;
using WebApi.Data;

namespace WebApi.Tests.Data;

/// <summary>
/// A replica starts beside the migrator and holds its start until the database has the migrator's work: every migration
/// of this build and a data-protection key. A host with WebApi's database wiring against a real PostgreSQL, each test on
/// a database of its own.
/// </summary>
public sealed class SchemaGateTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_replica_starts_only_once_the_database_has_every_migration_and_a_data_protection_key()
    {
        using var host = Build(ConnectionString(NewDatabase()), TimeSpan.FromMinutes(2));
        var starting = host.StartAsync();

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(starting.IsCompleted, "started before the database existed");

        await MigrateAsync(host);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(starting.IsCompleted, "started before the key ring had a key");

        AddKey(host);
        await starting.WaitAsync(StartTimeout);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_expired_key_does_not_open_the_gate()
    {
        using var host = Build(ConnectionString(NewDatabase()), TimeSpan.FromSeconds(1));
        await MigrateAsync(host);
        AddKey(host, lifetime: TimeSpan.FromDays(90), age: TimeSpan.FromDays(91));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(StartTimeout));
        Assert.Contains("the data-protection key ring has no usable key yet", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_ahead_of_the_build_does_not_hold_the_start()
    {
        using var host = Build(ConnectionString(NewDatabase()), TimeSpan.FromMinutes(2));
        await MigrateAsync(host);
        AddKey(host);
        await using (var db = await Contexts(host).CreateDbContextAsync())
        {
            // What a newer build's migration, applied during a rolling deploy, leaves behind.
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "__EFMigrationsHistory" VALUES ('29991231000000_FromANewerBuild', '10.0.0')""");
        }

        await host.StartAsync().WaitAsync(StartTimeout);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_replica_that_waits_past_its_timeout_fails_to_start_and_says_what_is_missing()
    {
        using var host = Build(ConnectionString(NewDatabase()), TimeSpan.FromSeconds(1));
        await MigrateAsync(host);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(StartTimeout));
        Assert.Contains("the data-protection key ring has no usable key yet", refused.Message, StringComparison.Ordinal);
        Assert.Contains("WebApi migrate", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_whose_database_cannot_be_reached_starts_without_waiting_for_it()
    {
        var closed = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = FreeLoopbackPorts.One() }.ConnectionString;
        using var host = Build(closed, TimeSpan.FromMinutes(2));

        await host.StartAsync().WaitAsync(StartTimeout);
        await host.StopAsync();
    }

    private static string NewDatabase() => "gate_" + Guid.NewGuid().ToString("N")[..12];

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;

    private static IHost Build(string connectionString, TimeSpan timeout)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:" + DatabaseExtensions.ConnectionName] = connectionString;
        builder.Configuration["Database:SchemaWaitTimeout"] = timeout.ToString();
        builder.Configuration["Database:SchemaPollInterval"] = "00:00:00.100";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddReadinessDatabase();
        builder.AddDataProtectionKeyStore();
        builder.AddSchemaGate();
        // As the app configures Identity, so the model matches the migrations.
        builder.Services.Configure<IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        return builder.Build();
    }

    private static IDbContextFactory<ReadinessDbContext> Contexts(IHost host) => host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>();

    private static async Task MigrateAsync(IHost host)
    {
        await using var db = await Contexts(host).CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    /// <summary>The migrator's last step: the key ring's first key, active from now for <paramref name="lifetime"/>.</summary>
    private static void AddKey(IHost host, TimeSpan? lifetime = null, TimeSpan? age = null)
    {
        var activation = DateTimeOffset.UtcNow - (age ?? TimeSpan.Zero);
        host.Services.GetRequiredService<IKeyManager>().CreateNewKey(activation, activation + (lifetime ?? TimeSpan.FromDays(90)));
    }
}
