namespace Microsoft.Extensions.Configuration;

public static class RequiredConfigurationExtensions
{
    /// <summary>A connection string the service cannot run without; its absence names the setting to fix.</summary>
    public static string GetRequiredConnectionString(this IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var connectionString = configuration.GetConnectionString(name);
        return string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException($"Connection string '{name}' is not configured; set ConnectionStrings__{name}.")
            : connectionString;
    }
}
