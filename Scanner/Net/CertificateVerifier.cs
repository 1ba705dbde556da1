using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scanner.Net;

/// <summary>What validating a server certificate showed.</summary>
/// <param name="ChainTrusted">The chain builds to a trusted root (system roots or a configured one).</param>
/// <param name="NameMatches">The leaf covers the host name or address.</param>
/// <param name="ChainProblems">What chain building reported, empty when trusted.</param>
/// <param name="NotAfter">The leaf's expiry.</param>
/// <param name="Subject">The leaf's subject.</param>
/// <param name="Issuer">The leaf's issuer.</param>
public sealed record CertificateVerdict(
    bool ChainTrusted,
    bool NameMatches,
    IReadOnlyList<string> ChainProblems,
    DateTimeOffset NotAfter,
    string Subject,
    string Issuer)
{
    /// <summary>What a browser would accept: a trusted chain for the right name.</summary>
    public bool Verified => ChainTrusted && NameMatches;
}

/// <summary>
/// Validates server certificates against the system roots plus the PEM files in
/// <see cref="ScannerOptions.TrustedRootCertificates"/>, without revocation checks or certificate downloads
/// (the scanner connects to nothing but the target).
/// </summary>
public sealed class CertificateVerifier : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly X509Certificate2Collection extraRoots = [];
    private readonly Lock loading = new();
    private readonly List<string> pendingRoots;

    public CertificateVerifier(string trustedRootCertificates) =>
        pendingRoots = [.. (trustedRootCertificates ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>
    /// Loads the configured roots that exist by now. Lazily, because a local run's CA is written by the proxy's start,
    /// which may come after the scanner's; a file that is there but holds no certificate is a configuration error.
    /// </summary>
    private void LoadPendingRoots()
    {
        lock (loading)
        {
            foreach (var path in pendingRoots.Where(File.Exists).ToList())
            {
                var before = extraRoots.Count;
                extraRoots.ImportFromPemFile(path);
                if (extraRoots.Count == before)
                {
                    throw new InvalidOperationException($"Scanner:TrustedRootCertificates names '{path}', which holds no PEM certificate.");
                }

                pendingRoots.Remove(path);
            }
        }
    }

    /// <summary>The policy for the handshake's own chain build: no downloads, no revocation fetches.</summary>
    public static X509ChainPolicy HandshakePolicy() => new()
    {
        RevocationMode = X509RevocationMode.NoCheck,
        DisableCertificateDownloads = true,
    };

    /// <param name="leaf">The server's certificate.</param>
    /// <param name="intermediates">The other certificates the server sent.</param>
    /// <param name="host">The name (or address literal) that was asked for.</param>
    public CertificateVerdict Verify(X509Certificate2 leaf, X509Certificate2Collection? intermediates, string host)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentException.ThrowIfNullOrEmpty(host);

        if (pendingRoots.Count > 0)
        {
            LoadPendingRoots();
        }

        var problems = Build(leaf, intermediates, customRoots: false);
        if (problems.Count > 0 && extraRoots.Count > 0)
        {
            // CustomRootTrust replaces the system store, so the configured roots get a pass of their own.
            problems = Build(leaf, intermediates, customRoots: true);
        }

        return new CertificateVerdict(
            problems.Count == 0,
            MatchesHost(leaf, host),
            problems,
            new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            leaf.Subject,
            leaf.Issuer);
    }

    public void Dispose()
    {
        foreach (var root in extraRoots)
        {
            root.Dispose();
        }
    }

    private static bool MatchesHost(X509Certificate2 leaf, string host)
    {
        var bare = host.Trim('[', ']');
        try
        {
            // An address literal matches only an IP SAN; a name matches DNS SANs (wildcards too) or, lacking SANs, the CN.
            return IPAddress.TryParse(bare, out _)
                ? leaf.MatchesHostname(bare, allowWildcards: false, allowCommonName: false)
                : leaf.MatchesHostname(bare);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private List<string> Build(X509Certificate2 leaf, X509Certificate2Collection? intermediates, bool customRoots)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(ServerAuthentication);
        if (intermediates is not null)
        {
            policy.ExtraStore.AddRange(intermediates);
        }

        if (customRoots)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(extraRoots);
        }

        if (chain.Build(leaf))
        {
            return [];
        }

        return [.. chain.ChainStatus
            .Where(status => status.Status != X509ChainStatusFlags.NoError)
            .Select(status => $"{status.Status}: {status.StatusInformation.Trim()}")
            .Distinct()];
    }
}
