using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WebApi.Data;

namespace WebApi.Tests.Data;

/// <summary>A host with WebApi's database wiring (<see cref="DatabaseExtensions.AddReadinessDatabase"/>) on a pool of one connection.</summary>
internal static class OneConnectionHost
{
    /// <summary>
    /// One connection: the connection a context used is the one the next gets. A pool of its own (Npgsql keys pools by
    /// connection string), so each host starts from a new connection and counts its statements' uses from zero.
    /// </summary>
    public static IHost Build(PostgresServer server)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:" + DatabaseExtensions.ConnectionName] =
            $"{server.ConnectionString};Maximum Pool Size=1;Application Name={Guid.NewGuid():N}";
        builder.AddReadinessDatabase();
        // As the app configures Identity, so the model matches the migrations.
        builder.Services.Configure<IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        return builder.Build();
    }
}
