using Microsoft.AspNetCore.DataProtection;

namespace WebApi.Data;

/// <summary>
/// The data-protection key ring lives in PostgreSQL (table <c>DataProtectionKeys</c>): durable, shared by every replica,
/// and in every backup, so a restart of any replica or of the cache, or a restore, signs no one out. ServiceDefaults
/// encrypts each key with the configured certificate before it is stored (required in Production, RA-D002).
/// </summary>
public static class DataProtectionKeyStore
{
    public static IHostApplicationBuilder AddDataProtectionKeyStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDataProtection().PersistKeysToDbContext<ReadinessDbContext>();
        return builder;
    }
}
