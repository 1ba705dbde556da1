namespace Scanner;

/// <summary>Limits on what the scanner may reach and how long it may take (configuration section "Scanner").</summary>
public sealed class ScannerOptions
{
    public const string Section = "Scanner";

    /// <summary>
    /// Addresses, CIDR ranges or host names the scanner may reach although they are private or loopback,
    /// separated by commas (e.g. "127.0.0.1/32,::1,localhost"). Empty in Production.
    /// </summary>
    public string AllowedTargets { get; set; } = "";

    /// <summary>Ports the scanner may connect to, separated by commas; "*" allows any (a local run's random ports, never Production).</summary>
    public string AllowedPorts { get; set; } = "80,443,8080,8443";

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRedirects { get; set; } = 5;

    /// <summary>How much of a response body the scanner reads.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>PEM files of extra trust anchors (a private CA), separated by commas; system roots stay trusted.</summary>
    public string TrustedRootCertificates { get; set; } = "";

    public string UserAgent { get; set; } = "ReadinessAspire-Scanner/1.0 (+https://github.com/readinessaspire)";
}
