using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace WebApi.Data;

/// <summary>
/// Identity reads its schema version from <see cref="IdentityOptions"/> through the context's application service
/// provider. The app and the design-time factory both hand it this one, so migrations and the running app agree.
/// </summary>
public static class IdentityStoreDefaults
{
    public static readonly Version SchemaVersion = IdentitySchemaVersions.Version3;

    public static void Apply(StoreOptions stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        stores.SchemaVersion = SchemaVersion;
        stores.MaxLengthForKeys = 128;
    }

    /// <summary>For contexts built outside the app (design time): a provider that knows only the store options.</summary>
    public static DbContextOptionsBuilder<ReadinessDbContext> UseIdentityStoreDefaults(this DbContextOptionsBuilder<ReadinessDbContext> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = new ServiceCollection().Configure<IdentityOptions>(identity => Apply(identity.Stores)).BuildServiceProvider();
        return options.UseApplicationServiceProvider(services);
    }
}
