using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>The certificate a service encrypts its data-protection keys with before they are stored (ServiceDefaults).</summary>
public static class DataProtectionBuilderExtensions
{
    /// <summary>
    /// Published: the secret parameters <c>data-protection-certificate</c> (a base64 PFX with an RSA key) and
    /// <c>data-protection-certificate-password</c>, which azd asks for once and keeps in the environment's secrets.
    /// Run: a self-signed RSA certificate of this machine's AppHost, made once and kept in the data directory, so keys
    /// written by an earlier run stay readable.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDataProtectionCertificate(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        if (app.ExecutionContext.IsPublishMode)
        {
            var certificate = SecretParameter(app, "data-protection-certificate");
            var password = SecretParameter(app, "data-protection-certificate-password");
            return builder
                .WithEnvironment("DataProtection__Certificate", certificate)
                .WithEnvironment("DataProtection__CertificatePassword", password);
        }

        // Made on a thread of its own as the orchestrator initializes the service, before it waits for anything: a
        // 3072-bit RSA key takes 0.3-1.1 s of a core, which at model build held back every resource's start on a new data
        // directory. Neither at model build nor on BeforeStartEvent: both also come to a model that is never run (a
        // test's, disposed unbuilt, whose entry point Aspire lets go on to Run and be cancelled), which would leave a
        // thread writing into a data directory nobody waits for.
        app.Eventing.Subscribe<InitializeResourceEvent>(builder.Resource, (_, _) =>
        {
            _ = LocalCertificate(app);
            return Task.CompletedTask;
        });
        return builder.WithEnvironment(async context =>
        {
            var (path, password) = await LocalCertificate(app).ConfigureAwait(false);
            context.EnvironmentVariables["DataProtection__CertificatePath"] = path;
            context.EnvironmentVariables["DataProtection__CertificatePassword"] = password;
        });
    }

    private static readonly ConditionalWeakTable<IDistributedApplicationBuilder, Task<(string Path, string Password)>> LocalCertificates = [];

    /// <summary>The one certificate of this model's run, made or read on first use.</summary>
    private static Task<(string Path, string Password)> LocalCertificate(IDistributedApplicationBuilder app) =>
        LocalCertificates.GetValue(app, MakeOrReadLocalCertificate);

    private static Task<(string Path, string Password)> MakeOrReadLocalCertificate(IDistributedApplicationBuilder app)
    {
        var directory = LocalServers.DataSubdirectory(app, "dataprotection");
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var pfxPath = Path.Combine(directory, "keys.pfx");
        var passwordPath = Path.Combine(directory, "keys.pfx.password");
        if (File.Exists(pfxPath) && File.Exists(passwordPath))
        {
            return Task.FromResult((pfxPath, File.ReadAllText(passwordPath)));
        }

        return Task.Run(() =>
        {
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            using var key = RSA.Create(3072);
            var request = new CertificateRequest("CN=ReadinessAspire data protection (local)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
            var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
            using var certificate = request.CreateSelfSigned(notBefore, notBefore.AddYears(10));
            LocalServers.WritePrivateFile(passwordPath, secret);
            // Renamed into place last: a run stopped while writing leaves no certificate, and the next makes both files
            // again, rather than a truncated certificate beside its password that no service can load.
            var partialPath = pfxPath + ".partial";
            LocalServers.WritePrivateFile(partialPath, certificate.Export(X509ContentType.Pfx, secret));
            File.Move(partialPath, pfxPath, overwrite: true);
            return (pfxPath, secret);
        });
    }

    /// <summary>The secret parameter of that name: every service given the certificate (the migrator, which makes the first key, and the replicas) shares one.</summary>
    private static IResourceBuilder<ParameterResource> SecretParameter(IDistributedApplicationBuilder app, string name) =>
        app.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == name) is { } existing
            ? app.CreateResourceBuilder(existing)
            : app.AddParameter(name, secret: true);
}
