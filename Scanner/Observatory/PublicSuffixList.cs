using System.Collections.Frozen;
using System.Net;

namespace Scanner.Observatory;

/// <summary>
/// The Public Suffix List, for the registrable domain that tldts computes (the SRI test compares them; tough-cookie refuses
/// a cookie whose Domain is a public suffix). The list ships with the scanner (public_suffix_list.dat, from Debian's
/// publicsuffix package); Observatory uses the copy bundled in its tldts, so the two may differ on recently added suffixes.
/// tldts' hostname validation is simplified to a few character rules.
/// </summary>
public static class PublicSuffixList
{
    private static readonly Lazy<Rules> LoadedRules = new(Load);

    /// <summary>tldts getDomain: the public suffix plus one label; null for an IP address, a suffix itself or an invalid host.</summary>
    /// <param name="hostname">A lowercase host name.</param>
    /// <param name="includePrivateDomains">Whether the list's private section counts (tough-cookie: yes; tldts' default: no).</param>
    public static string? GetDomain(string hostname, bool includePrivateDomains)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        hostname = hostname.TrimEnd('.');
        if (hostname.Length == 0 || hostname.Length > 255 || IPAddress.TryParse(hostname.Trim('[', ']'), out _) || !IsValidHostname(hostname))
        {
            return null;
        }

        var labels = hostname.Split('.');
        var suffixLength = SuffixLabelCount(labels, includePrivateDomains);
        return labels.Length <= suffixLength ? null : string.Join('.', labels[^(suffixLength + 1)..]);
    }

    private static int SuffixLabelCount(string[] labels, bool includePrivateDomains)
    {
        var rules = LoadedRules.Value;
        var best = 1; // The default rule "*".
        for (var count = 1; count <= labels.Length; count++)
        {
            var candidate = string.Join('.', labels[^count..]);
            if (rules.Exceptions.TryGetValue(candidate, out var exceptionIsPrivate) && (includePrivateDomains || !exceptionIsPrivate))
            {
                return count - 1;
            }

            if (rules.Normal.TryGetValue(candidate, out var isPrivate) && (includePrivateDomains || !isPrivate))
            {
                best = Math.Max(best, count);
            }

            if (count < labels.Length)
            {
                var wildcard = "*." + candidate;
                if (rules.Normal.TryGetValue(wildcard, out var wildcardIsPrivate) && (includePrivateDomains || !wildcardIsPrivate))
                {
                    best = Math.Max(best, count + 1);
                }
            }
        }

        return best;
    }

    private static bool IsValidHostname(string hostname)
    {
        foreach (var label in hostname.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[^1] == '-')
            {
                return false;
            }
        }

        return hostname.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' || c > 127);
    }

    private static Rules Load()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("Scanner.Observatory.public_suffix_list.dat")
            ?? throw new InvalidOperationException("The public suffix list is not embedded.");
        using var reader = new StreamReader(stream);
        var normal = new Dictionary<string, bool>(StringComparer.Ordinal);
        var exceptions = new Dictionary<string, bool>(StringComparer.Ordinal);
        var isPrivate = false;
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.StartsWith("// ===BEGIN PRIVATE DOMAINS===", StringComparison.Ordinal))
            {
                isPrivate = true;
            }

            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var rule = line.Split(' ', '\t')[0].ToLowerInvariant();
            if (rule.StartsWith('!'))
            {
                exceptions[rule[1..]] = isPrivate;
            }
            else
            {
                normal[rule] = isPrivate;
            }
        }

        return new Rules(normal.ToFrozenDictionary(StringComparer.Ordinal), exceptions.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record Rules(FrozenDictionary<string, bool> Normal, FrozenDictionary<string, bool> Exceptions);
}
