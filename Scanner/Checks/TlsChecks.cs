using System.Security.Authentication;

namespace Scanner.Checks;

/// <summary>The TLS probe's handshake, protocols and certificate (SEC-04).</summary>
public static class TlsChecks
{
    public const int ExpiryFailDays = 14;
    public const int ExpiryWarnDays = 30;

    public static IReadOnlyList<FindingDefinition> Definitions { get; } =
    [
        FindingCatalogue.TlsProtocol, FindingCatalogue.TlsLegacyProtocols, FindingCatalogue.TlsCertificateExpiry,
        FindingCatalogue.TlsChainTrusted, FindingCatalogue.TlsNameMatches,
    ];

    public static IEnumerable<Finding> Check(TlsReport tls, DateTimeOffset now)
    {
        yield return Protocol(tls);
        yield return LegacyProtocols(tls);
        yield return CertificateExpiry(tls, now);
        yield return ChainTrusted(tls);
        yield return NameMatches(tls);
    }

    public static Finding Protocol(TlsReport tls)
    {
        if (tls.Protocol is not { } protocol)
        {
            return FindingCatalogue.TlsProtocol.Fail($"no handshake with {tls.Host}:{tls.Port}: {tls.Error ?? "unknown error"}");
        }

        var modern = protocol is SslProtocols.Tls12 or SslProtocols.Tls13;
        return FindingCatalogue.TlsProtocol.Check(modern, $"negotiated {protocol}" + (tls.CipherSuite is null ? "" : $" with {tls.CipherSuite}"));
    }

    public static Finding LegacyProtocols(TlsReport tls)
    {
        var accepted = new[] { tls.AcceptsTls10 ? "TLS 1.0" : null, tls.AcceptsTls11 ? "TLS 1.1" : null }.OfType<string>().ToList();
        return accepted.Count == 0
            ? FindingCatalogue.TlsLegacyProtocols.Pass("TLS 1.0 and TLS 1.1 refused")
            : FindingCatalogue.TlsLegacyProtocols.Fail($"{string.Join(" and ", accepted)} accepted");
    }

    /// <summary>Fails (High) under 14 days, warns (Low) under 30: ACME clients renew at 30, so under 30 means renewal is failing.</summary>
    public static Finding CertificateExpiry(TlsReport tls, DateTimeOffset now)
    {
        if (tls.DaysToExpiry(now) is not { } days || tls.NotAfter is not { } notAfter)
        {
            return FindingCatalogue.TlsCertificateExpiry.Fail($"no certificate seen: {tls.Error ?? "no handshake"}");
        }

        var evidence = $"expires {notAfter:yyyy-MM-dd} ({days} days)";
        return days switch
        {
            < ExpiryFailDays => FindingCatalogue.TlsCertificateExpiry.Fail(evidence),
            < ExpiryWarnDays => FindingCatalogue.TlsCertificateExpiry.Fail(evidence, Severity.Low),
            _ => FindingCatalogue.TlsCertificateExpiry.Pass(evidence),
        };
    }

    public static Finding ChainTrusted(TlsReport tls) =>
        FindingCatalogue.TlsChainTrusted.Check(tls.ChainTrusted, tls.ChainTrusted
            ? $"issued by {tls.Issuer}"
            : tls.ChainProblems.Count > 0 ? string.Join("; ", tls.ChainProblems) : tls.Error ?? "chain not trusted");

    public static Finding NameMatches(TlsReport tls) =>
        FindingCatalogue.TlsNameMatches.Check(tls.NameMatches, $"{tls.Host} against certificate {tls.Subject ?? "(none)"}");
}
