using System.Security.Cryptography;

namespace WebApi.Tests.Security;

/// <summary>Values for tests; generated per run so no test secret is a fixed string in the repository.</summary>
internal static class Secrets
{
    public static string Strong() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    public static string PostgresConnectionString(string password, int port = 1) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=readiness;Timeout=2";

    public static string RedisConnectionString(string password, int port = 1) => $"127.0.0.1:{port},password={password}";
}
