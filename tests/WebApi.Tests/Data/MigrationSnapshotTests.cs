using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WebApi.Data;
using WebApi.Tests.OpenApi;

namespace WebApi.Tests.Data;

/// <summary>
/// The migrator does not compare the model with the migrations' snapshot at run time (it ignores EF Core's
/// PendingModelChangesWarning: two model builds and a diff in every start), so this does, for every build: a change to
/// the model without its migration fails here rather than in a deployment.
/// </summary>
public sealed class MigrationSnapshotTests(DocumentedWebApi api) : IClassFixture<DocumentedWebApi>
{
    [Fact]
    public async Task The_model_the_app_runs_is_the_one_its_migrations_build()
    {
        await using var db = await api.Services.GetRequiredService<IDbContextFactory<ReadinessDbContext>>().CreateDbContextAsync();

        Assert.True(db.Database.GetMigrations().Any(), "no migration found");
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration holds: add one with `dotnet ef migrations add`");
    }

    [Fact]
    public void The_model_dotnet_ef_sees_is_the_one_the_migrations_build()
    {
        using var db = new DesignTimeReadinessDbContextFactory().CreateDbContext([]);

        Assert.False(db.Database.HasPendingModelChanges(), "the design-time model has changes no migration holds");
    }
}
