using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace WebApi.Data;

/// <summary>
/// Used only by <c>dotnet ef</c>: generating migrations needs the model, not a server, so any well-formed
/// connection string will do and nobody has to configure a real one to add a migration.
/// Migrations are applied by <c>WebApi migrate</c> (see <see cref="MigrationCommand"/>), not by <c>dotnet ef database update</c>.
/// </summary>
public sealed class DesignTimeReadinessDbContextFactory : IDesignTimeDbContextFactory<ReadinessDbContext>
{
    public ReadinessDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ReadinessDbContext>()
            .UseNpgsql("Host=localhost;Database=readiness")
            .UseIdentityStoreDefaults()
            .Options);
}
