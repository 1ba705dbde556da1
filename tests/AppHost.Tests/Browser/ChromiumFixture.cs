using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Playwright;

namespace AppHost.Tests.Browser;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>.ci/install</c>) driven by Playwright, launched once per
/// test class for the shared stack. Playwright's own browser download is never used.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>
    /// The browser, launched on first use. It trusts the stack's local CA by the hash of the CA's public key
    /// (<c>--ignore-certificate-errors-spki-list</c>): a chain that ends in any other key is still refused, unlike
    /// <c>IgnoreHTTPSErrors</c>, which would accept any certificate at all. nginx sends the CA with its certificate,
    /// so the key is in every chain the proxy presents. (A class's tests run one at a time: no lock needed.)
    /// </summary>
    public async Task<IBrowser> BrowserAsync(StackFixture stack)
    {
        if (_browser is null)
        {
            Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: run bash .ci/install");
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args =
                [
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    $"--ignore-certificate-errors-spki-list={PublicKeyHash(ProxyClient.CaCertificatePath(stack.App))}",
                ],
            });
        }

        return _browser;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo, the form Chromium's SPKI list takes.</summary>
    private static string PublicKeyHash(string certificatePath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        return Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }
}
