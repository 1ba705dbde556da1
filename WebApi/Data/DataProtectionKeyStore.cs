using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

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

    /// <summary>
    /// Whether the ring has a key to protect with now. The migrator makes one when it has none, and each replica waits
    /// for it (<see cref="SchemaGate"/>): replicas that start together on a ring without one would each make their own.
    /// </summary>
    internal static bool HasUsableKey(this IKeyManager keys, DateTimeOffset now) =>
        keys.GetAllKeys().Any(key => !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now);
}
