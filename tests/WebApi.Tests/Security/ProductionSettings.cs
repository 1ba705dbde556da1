namespace WebApi.Tests.Security;

/// <summary>
/// Settings with which WebApi passes the deploy audit in Production, as environment variables (<c>__</c>-separated);
/// each test changes one of them. Passwords are random; the servers they name are on closed ports.
/// </summary>
internal sealed class ProductionSettings : IDisposable
{
    private readonly TestCertificate _certificate = new();

    public string DatabasePassword { get; } = Secrets.Strong();

    public string CachePassword { get; } = Secrets.Strong();

    public Dictionary<string, string> Good() => new()
    {
        ["AllowedHosts"] = "readiness.example.com;localhost;127.0.0.1",
        ["PublicOrigin"] = "https://readiness.example.com",
        ["ConnectionStrings__readiness"] = Secrets.PostgresConnectionString(DatabasePassword),
        ["ConnectionStrings__cache"] = Secrets.RedisConnectionString(CachePassword),
        // Blob storage on a closed port, like the servers above: evidence calls fail, the rest of the app starts.
        ["ConnectionStrings__evidence"] = $"DefaultEndpointsProtocol=http;AccountName=evidence;AccountKey={Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secrets.Strong()))};BlobEndpoint=http://127.0.0.1:1/evidence;",
        ["DataProtection__CertificatePath"] = _certificate.Path,
        ["DataProtection__CertificatePassword"] = _certificate.Password,
    };

    public Dictionary<string, string> GoodWith(string key, string? value)
    {
        var settings = Good();
        if (value is null)
        {
            settings.Remove(key);
        }
        else
        {
            settings[key] = value;
        }

        return settings;
    }

    public void Dispose() => _certificate.Dispose();
}
