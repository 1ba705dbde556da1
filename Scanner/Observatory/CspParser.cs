using System.Text;
using System.Text.RegularExpressions;

namespace Scanner.Observatory;

/// <summary>
/// Observatory's CSP parser (src/analyzer/cspParser.js): several policies merge into the sources every policy allows.
/// Ported with its quirks: a repeated report-uri/report-to keeps the last one, a source kept by one later policy stays
/// kept, and a directive only a later policy sets ends up 'none'.
/// </summary>
public static partial class CspParser
{
    /// <summary>The key under which the parsed policy lists the repeated report-uri/report-to directives.</summary>
    public const string DuplicateWarningsKey = "_observatory_duplicate_key_warnings";

    // "img-src".length - 1: the shortest policy accepted.
    private const int ShortestDirectiveLength = 6;

    private static readonly string[] DirectivesDisallowedInMeta = ["frame-ancestors", "report-uri", "sandbox"];
    private static readonly HashSet<string> AllowedDuplicateKeys = new(StringComparer.Ordinal) { "report-uri", "report-to" };

    /// <summary>parseCsp: directive to sources; null where Observatory throws (an invalid policy).</summary>
    public static Dictionary<string, HashSet<string>>? Parse(IReadOnlyList<string> cspList)
    {
        ArgumentNullException.ThrowIfNull(cspList);
        var cleanCspList = cspList.Select(policy => policy.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim()).ToList();
        if (cleanCspList.Count == 0)
        {
            return new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        }

        if (cleanCspList.Any(policy => policy.Length < ShortestDirectiveLength))
        {
            return null;
        }

        var csp = new Dictionary<string, List<Source>>(StringComparer.Ordinal);
        var duplicateWarnings = new HashSet<string>(StringComparer.Ordinal);

        for (var policyIndex = 0; policyIndex < cleanCspList.Count; policyIndex++)
        {
            var directivesSeen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in cleanCspList[policyIndex].Split(';'))
            {
                var words = Whitespace().Split(entry.Trim());
                if (words[0].Length == 0)
                {
                    continue;
                }

                // Directives are case-insensitive since CSP3.
                var directive = words[0].ToLowerInvariant();

                // Repeated directives are invalid so that people notice; repeated report-uri and report-to only warn.
                if (!directivesSeen.Add(directive))
                {
                    if (!AllowedDuplicateKeys.Contains(directive))
                    {
                        return null;
                    }

                    duplicateWarnings.Add(directive);
                }

                var keep = policyIndex == 0;
                var values = words.Skip(1).Select(raw => new Source(raw.Trim().ToLowerInvariant(), policyIndex, keep)).ToList();
                if (values.Count == 0 && directive.EndsWith("-src", StringComparison.Ordinal))
                {
                    // A source list with no values is 'none'.
                    values.Add(new Source("'none'", policyIndex, keep));
                }

                var combined = policyIndex == 0 ? values : [.. csp.GetValueOrDefault(directive) ?? [], .. values];

                // Array.prototype.sort is stable; so is OrderBy.
                combined = [.. combined.OrderBy(source => source.Value, IntlCollator.Instance)];

                for (var index = 1; index < combined.Count; index++)
                {
                    var source = combined[index];
                    var previous = combined[index - 1];

                    // Within one policy the longer of two sources with the same start is superfluous.
                    if (source.Index == previous.Index && source.Value.StartsWith(previous.Value, StringComparison.Ordinal))
                    {
                        source.Keep = false;
                    }

                    // A source has to exist in both policies to count.
                    if (source.Index != previous.Index)
                    {
                        var match = PathPartMatch(previous.Value, source.Value);
                        if (match is null)
                        {
                            // decodeURIComponent threw: parseCsp throws.
                            return null;
                        }

                        if (match.Value)
                        {
                            source.Keep = true;
                        }
                    }
                }

                csp[directive] = [.. combined.Where(source => source.Keep)];

                // With more policies to come, the first policy's sources are kept only if a later one matches them.
                if (policyIndex == 0 && cspList.Count > 1)
                {
                    foreach (var source in csp[directive])
                    {
                        source.Keep = false;
                    }
                }
            }
        }

        var final = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (directive, sources) in csp)
        {
            final[directive] = sources.Count > 0
                ? new HashSet<string>(sources.Select(source => source.Value), StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal) { "'none'" };
        }

        if (duplicateWarnings.Count > 0)
        {
            final[DuplicateWarningsKey] = duplicateWarnings;
        }

        return final;
    }

    /// <summary>parseCspMeta: as <see cref="Parse"/>, without the directives a &lt;meta&gt; may not set.</summary>
    public static Dictionary<string, HashSet<string>>? ParseMeta(IReadOnlyList<string> cspList)
    {
        var policy = Parse(cspList);
        foreach (var directive in DirectivesDisallowedInMeta)
        {
            policy?.Remove(directive);
        }

        return policy;
    }

    /// <summary>pathPartMatch; null where decodeURIComponent throws.</summary>
    private static bool? PathPartMatch(string pathA, string pathB)
    {
        if (pathA.Length == 0)
        {
            return true;
        }

        if (pathA == "/" && pathB.Length == 0)
        {
            return true;
        }

        var exactMatch = !pathA.EndsWith('/');
        var partsA = pathA.Split('/');
        var partsB = pathB.Split('/');
        if (partsA.Length > partsB.Length)
        {
            return false;
        }

        if (exactMatch && partsA.Length != partsB.Length)
        {
            return false;
        }

        var count = exactMatch ? partsA.Length : partsA.Length - 1;
        for (var i = 0; i < count; i++)
        {
            var pieceA = DecodeUriComponent(partsA[i]);
            var pieceB = pieceA is null ? null : DecodeUriComponent(partsB[i]);
            if (pieceA is null || pieceB is null)
            {
                return null;
            }

            if (pieceA != pieceB)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>decodeURIComponent; null where it throws (a stray % or bytes that are not UTF-8).</summary>
    private static string? DecodeUriComponent(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var strict = new UTF8Encoding(false, true);
        var builder = new StringBuilder();
        var bytes = new List<byte>();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !Uri.IsHexDigit(value[i + 1]) || !Uri.IsHexDigit(value[i + 2]))
                {
                    return null;
                }

                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
                continue;
            }

            if (!Flush())
            {
                return null;
            }

            builder.Append(value[i]);
        }

        return Flush() ? builder.ToString() : null;

        bool Flush()
        {
            if (bytes.Count == 0)
            {
                return true;
            }

            try
            {
                builder.Append(strict.GetString([.. bytes]));
            }
            catch (DecoderFallbackException)
            {
                return false;
            }

            bytes.Clear();
            return true;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed class Source(string value, int index, bool keep)
    {
        public string Value { get; } = value;

        public int Index { get; } = index;

        public bool Keep { get; set; } = keep;
    }
}

/// <summary>
/// <c>Intl.Collator("en").compare</c> on lowercased sources: ICU's root order, in which punctuation sorts before digits and
/// digits before letters. The app runs with invariant globalization, so the ASCII order is spelled out (taken from Node 20);
/// other characters sort after ASCII by code point, which may differ from ICU for non-ASCII sources.
/// </summary>
internal sealed class IntlCollator : IComparer<string>
{
    private const string AsciiOrder = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

    private static readonly int[] Ranks = BuildRanks();

    public static IntlCollator Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var difference = Rank(x[i]).CompareTo(Rank(y[i]));
            if (difference != 0)
            {
                return difference;
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    private static int Rank(char c) => c < 128 && Ranks[c] >= 0 ? Ranks[c] : 1000 + c;

    private static int[] BuildRanks()
    {
        var ranks = Enumerable.Repeat(-1, 128).ToArray();
        for (var i = 0; i < AsciiOrder.Length; i++)
        {
            ranks[AsciiOrder[i]] = i;
            if (AsciiOrder[i] is >= 'a' and <= 'z')
            {
                ranks[char.ToUpperInvariant(AsciiOrder[i])] = i;
            }
        }

        return ranks;
    }
}
