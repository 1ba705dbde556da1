using System.Security.Authentication;
using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class TlsChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Tls13_passes_and_tls11_negotiated_fails()
    {
        Assert.True(TlsChecks.Protocol(Build.Tls(SslProtocols.Tls13)).Passed);
        Assert.True(TlsChecks.Protocol(Build.Tls(SslProtocols.Tls12)).Passed);
#pragma warning disable SYSLIB0039, CA5397 // The failing case needs the obsolete protocol.
        Assert.False(TlsChecks.Protocol(Build.Tls(SslProtocols.Tls11)).Passed);
#pragma warning restore SYSLIB0039, CA5397
        Assert.False(TlsChecks.Protocol(Build.Tls(protocol: null, error: "handshake failed")).Passed);
    }

    [Fact]
    public void Legacy_protocols_accepted_fail_high()
    {
        var finding = TlsChecks.LegacyProtocols(Build.Tls(tls10: true, tls11: true));
        Assert.False(finding.Passed);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal("TLS 1.0 and TLS 1.1 accepted", finding.Evidence);
        Assert.True(TlsChecks.LegacyProtocols(Build.Tls()).Passed);
    }

    [Theory]
    [InlineData(90, true, Severity.High)]
    [InlineData(30, true, Severity.High)]
    [InlineData(29, false, Severity.Low)]
    [InlineData(14, false, Severity.Low)]
    [InlineData(13, false, Severity.High)]
    [InlineData(-1, false, Severity.High)]
    public void Expiry_fails_under_14_days_and_warns_under_30(int days, bool passed, Severity severity)
    {
        var finding = TlsChecks.CertificateExpiry(Build.Tls(notAfter: Now.AddDays(days).AddHours(1)), Now);
        Assert.Equal(passed, finding.Passed);
        Assert.Equal(severity, finding.Severity);
    }

    [Fact]
    public void Untrusted_chain_and_name_mismatch_fail()
    {
        Assert.False(TlsChecks.ChainTrusted(Build.Tls(trusted: false)).Passed);
        Assert.True(TlsChecks.ChainTrusted(Build.Tls()).Passed);
        Assert.False(TlsChecks.NameMatches(Build.Tls(nameMatches: false)).Passed);
        Assert.True(TlsChecks.NameMatches(Build.Tls()).Passed);
    }
}
