using System.Net;
using System.Security.Cryptography.X509Certificates;
using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

/// <summary>Talks to the proxy as a browser would: https://localhost, trusting only the AppHost's local CA.</summary>
internal static class ProxyClient
{
    public static HttpClient Create(DistributedApplication app, bool followRedirects = false)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(app.Options.DataDirectory!, "certs", "ca.crt")));
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = followRedirects,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 server && chain.Build(server);
                },
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = HttpsBase(app),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
    }

    public static Uri HttpsBase(DistributedApplication app) => new($"https://localhost:{app.GetEndpoint("proxy", "https").Port}");

    public static Uri HttpBase(DistributedApplication app) => new($"http://localhost:{app.GetEndpoint("proxy", "http").Port}");

    public static string AccessLog(DistributedApplication app) => Path.Combine(app.Options.DataDirectory!, "logs", "proxy-access.log");
}
