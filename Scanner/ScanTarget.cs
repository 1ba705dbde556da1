namespace Scanner;

/// <summary>What a target is, which decides the profile grade: an API is not marked down for page-only headers.</summary>
public enum ScanProfile
{
    Web,
    Api,
}

/// <summary>A deployment to scan.</summary>
/// <param name="Url">Where the site lives (http or https). The scan reads this page and its host.</param>
/// <param name="Profile">Web page or API.</param>
/// <param name="HttpPort">The plain-HTTP port to test the redirect on; null derives it (443 to 80, 8443 to 8080).</param>
/// <param name="HttpsPort">The HTTPS port; null derives it from the URL (or 80 to 443, 8080 to 8443 for an http URL).</param>
public sealed record ScanTarget(Uri Url, ScanProfile Profile = ScanProfile.Web, int? HttpPort = null, int? HttpsPort = null)
{
    public int ResolvedHttpsPort => HttpsPort ?? (Url.Scheme == Uri.UriSchemeHttps ? Url.Port : Url.Port switch
    {
        80 => 443,
        8080 => 8443,
        _ => 443,
    });

    public int ResolvedHttpPort => HttpPort ?? (Url.Scheme == Uri.UriSchemeHttp ? Url.Port : Url.Port switch
    {
        443 => 80,
        8443 => 8080,
        _ => 80,
    });

    /// <summary>The page's path and query, so a target can be a path below the host.</summary>
    public string PathAndQuery => Url.PathAndQuery;
}
