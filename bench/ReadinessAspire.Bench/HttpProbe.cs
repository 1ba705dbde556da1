using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ReadinessAspire.Bench;

/// <summary>An HTTP client for single checks: HTTPS trusts the AppHost's local certificate authority and nothing else.</summary>
internal static class HttpProbe
{
    /// <param name="cookies">Where a signed-in session keeps its cookies; none by default.</param>
    public static HttpClient CreateClient(string caCertificatePath, CookieContainer? cookies = null) =>
        new(CreateHandler(caCertificatePath, cookies)) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The handler of <see cref="CreateClient"/>'s clients, for a client that changes how it connects.</summary>
    public static SocketsHttpHandler CreateHandler(string caCertificatePath, CookieContainer? cookies = null)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
        };
        if (File.Exists(caCertificatePath))
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is X509Certificate2 server && chain.Build(server);
            };
        }

        return handler;
    }
}
