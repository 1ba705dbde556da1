namespace ServiceDefaults.Deploy;

/// <summary>
/// A setting the service cannot run without and that must come from a secret store or the environment, never a file
/// in the repository. <see cref="MinimumPasswordLength"/> applies to the <c>Password=</c> part of a connection string.
/// </summary>
public sealed record RequiredSecret(string Key, int MinimumPasswordLength = RequiredSecret.DefaultMinimumPasswordLength)
{
    public const int DefaultMinimumPasswordLength = 16;

    public static RequiredSecret ConnectionString(string name) => new($"ConnectionStrings:{name}");

    /// <summary>The environment variable that sets <see cref="Key"/>.</summary>
    public string EnvironmentVariable => Key.Replace(":", "__", StringComparison.Ordinal);
}
