using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReadinessAspire.Testing;
using WebApi.Data;
using WebApi.Evidence;
using WebApi.Tests.Data;

namespace WebApi.Tests.Evidence;

/// <summary><see cref="EvidenceOrphanSweep"/> in a host of its own, with a real PostgreSQL.</summary>
public sealed class EvidenceOrphanSweepTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_sweep_that_cannot_reach_the_storage_is_logged_and_the_host_keeps_running()
    {
        var logs = new MessageCollector();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddProvider(logs);
        builder.Configuration["ConnectionStrings:" + DatabaseExtensions.ConnectionName] = postgres.ConnectionString;
        // Nothing listens on the blob endpoint: the SDK's retries end in an AggregateException. The key is any key.
        builder.Configuration["ConnectionStrings:" + EvidenceStorage.ConnectionName] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))};"
            + $"BlobEndpoint=http://127.0.0.1:{FreeLoopbackPorts.One()}/devstoreaccount1";
        builder.Configuration["Evidence:SweepInterval"] = "00:00:01";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddReadinessDatabase();
        builder.Services.Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        builder.AddEvidence();
        using var host = builder.Build();
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync();
        try
        {
            var failed = logs.WaitForAsync(m => m.Category == typeof(EvidenceOrphanSweep).FullName && m.Message.StartsWith("The evidence orphan sweep failed", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            await Task.WhenAny(failed, stopping.Task);

            Assert.False(stopping.Task.IsCompleted, "The host stopped: " + string.Join(" | ", logs.Messages.Where(m => m.Level >= LogLevel.Warning).Select(m => m.Message)));
            await failed;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
