namespace ServiceDefaults.Deploy.Checks;

/// <summary>
/// The secret in a connection string of either form the stack uses: <c>key=value;...</c> (PostgreSQL, and Azure
/// Storage, whose secret is the account key or a shared access signature) and <c>host:port,password=...</c> (Redis).
/// Good enough to judge strength; generated secrets contain no separators.
/// </summary>
internal static class ConnectionStringPassword
{
    private static readonly string[] s_passwordKeys = ["password", "pwd", "accountkey", "sharedaccesssignature"];

    public static string? Find(string connectionString) =>
        connectionString
            .Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2 && s_passwordKeys.Contains(pair[0].Trim(), StringComparer.OrdinalIgnoreCase))
            .Select(pair => pair[1].Trim().Trim('"', '\''))
            .FirstOrDefault(password => password.Length > 0);
}
