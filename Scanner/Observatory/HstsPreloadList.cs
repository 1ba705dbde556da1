using System.Collections.Frozen;

namespace Scanner.Observatory;

/// <summary>
/// The HSTS preload list's force-https entries (analyzer/hsts.js). Observatory reads a copy of Chromium's list that it
/// downloads when it is built; the scanner cannot download it, so the list is injected and empty by default, which makes
/// a preloaded site grade as an unlisted one ("hsts-preloaded" and "redirection-all-redirects-preloaded" are not found).
/// </summary>
public sealed class HstsPreloadList
{
    private readonly FrozenDictionary<string, bool> includeSubDomainsByHost;

    /// <param name="forceHttpsEntries">Each force-https host with its includeSubDomains flag.</param>
    public HstsPreloadList(IEnumerable<KeyValuePair<string, bool>> forceHttpsEntries) =>
        includeSubDomainsByHost = forceHttpsEntries.ToFrozenDictionary(StringComparer.Ordinal);

    public static HstsPreloadList Empty { get; } = new([]);

    /// <summary>isHstsPreloaded: the entry for the host, or for a parent that includes subdomains; null when not preloaded.</summary>
    /// <returns>The entry's includeSubDomains flag, or null.</returns>
    public bool? Find(string hostname)
    {
        if (includeSubDomainsByHost.TryGetValue(hostname, out var exact))
        {
            return exact;
        }

        var labels = hostname.Split('.');
        for (var skip = 1; skip < labels.Length; skip++)
        {
            if (includeSubDomainsByHost.TryGetValue(string.Join('.', labels[skip..]), out var includeSubDomains) && includeSubDomains)
            {
                return true;
            }
        }

        return null;
    }
}
