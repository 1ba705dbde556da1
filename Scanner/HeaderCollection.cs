using System.Collections;

namespace Scanner;

/// <summary>
/// Response headers by case-insensitive name, values in the order received.
/// <see cref="Get"/> reads a header the way Node's <c>IncomingMessage.headers</c> does (Observatory runs on it):
/// repeated <c>set-cookie</c> stays a list, a few single-valued headers keep their first value, all others join with ", ".
/// </summary>
public sealed class HeaderCollection : IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>
{
    // Node drops duplicates of these (lib/_http_incoming.js, matchKnownFields).
    private static readonly HashSet<string> FirstValueOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
        "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
        "proxy-authorization", "referer", "retry-after", "server", "user-agent",
    };

    private readonly Dictionary<string, List<string>> values = new(StringComparer.OrdinalIgnoreCase);

    public HeaderCollection()
    {
    }

    public HeaderCollection(IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            Add(name, value);
        }
    }

    public void Add(string name, string value)
    {
        if (!values.TryGetValue(name, out var list))
        {
            values[name] = list = [];
        }

        list.Add(value);
    }

    public bool Contains(string name) => values.ContainsKey(name);

    /// <summary>Every value received for <paramref name="name"/>, in order; empty when absent.</summary>
    public IReadOnlyList<string> GetAll(string name) => values.TryGetValue(name, out var list) ? list : [];

    /// <summary>The header as Node presents it, or null when absent. Use <see cref="GetAll"/> for <c>set-cookie</c>.</summary>
    public string? Get(string name)
    {
        if (!values.TryGetValue(name, out var list) || list.Count == 0)
        {
            return null;
        }

        if (list.Count == 1 || FirstValueOnly.Contains(name))
        {
            return list[0];
        }

        // Node joins cookie request headers with "; ", everything else with ", ".
        return string.Join(name.Equals("cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ", list);
    }

    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator() =>
        values.Select(pair => new KeyValuePair<string, IReadOnlyList<string>>(pair.Key, pair.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
