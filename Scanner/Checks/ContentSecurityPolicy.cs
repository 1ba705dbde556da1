namespace Scanner.Checks;

/// <summary>
/// One CSP policy's directives (CSP3 §2.2.1): names lower-cased, the first of a repeated directive wins, sources as written.
/// The Observatory port parses CSP its own way for its grade; this one serves the checklist's checks.
/// </summary>
public sealed class ContentSecurityPolicy
{
    private readonly Dictionary<string, IReadOnlyList<string>> directives;

    private ContentSecurityPolicy(Dictionary<string, IReadOnlyList<string>> directives) => this.directives = directives;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Directives => directives;

    /// <summary>
    /// Every policy in a header value. Several headers arrive joined with ", ", and a comma separates policies in one
    /// header too, so each comma-separated part is a policy that the browser enforces alongside the others.
    /// </summary>
    public static IReadOnlyList<ContentSecurityPolicy> ParseAll(string? headerValue) =>
        string.IsNullOrWhiteSpace(headerValue)
            ? []
            : [.. headerValue.Split(',').Select(Parse).Where(policy => policy.directives.Count > 0)];

    public static ContentSecurityPolicy Parse(string policy)
    {
        var parsed = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var directive in policy.Split(';'))
        {
            var tokens = directive.Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
            {
                continue;
            }

            parsed.TryAdd(tokens[0].ToLowerInvariant(), tokens[1..]);
        }

        return new ContentSecurityPolicy(parsed);
    }

    public bool Has(string directive) => directives.ContainsKey(directive);

    /// <summary>The sources of <paramref name="directive"/>, else of the first fallback present; null when none restricts it.</summary>
    public IReadOnlyList<string>? Effective(string directive, params string[] fallbacks)
    {
        foreach (var name in fallbacks.Prepend(directive))
        {
            if (directives.TryGetValue(name, out var sources))
            {
                return sources;
            }
        }

        return null;
    }

    /// <summary>The effective script sources: script-src, else default-src (CSP3's fallback list for scripts).</summary>
    public IReadOnlyList<string>? ScriptSources => Effective("script-src", "default-src");

    /// <summary>
    /// Whether inline script runs: 'unsafe-inline' is ignored by CSP2+ browsers when the same list has a nonce or hash,
    /// so only a list without them really allows it.
    /// </summary>
    public bool AllowsUnsafeInlineScript => ScriptSources is { } sources
        && HasKeyword(sources, "'unsafe-inline'")
        && !sources.Any(source => source.StartsWith("'nonce-", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("'sha256-", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("'sha384-", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("'sha512-", StringComparison.OrdinalIgnoreCase));

    public bool AllowsUnsafeEval => ScriptSources is { } sources && HasKeyword(sources, "'unsafe-eval'");

    public static bool HasKeyword(IReadOnlyList<string> sources, string keyword) =>
        sources.Any(source => source.Equals(keyword, StringComparison.OrdinalIgnoreCase));
}
