using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ServiceDefaults.Logging;

/// <summary>
/// Masks secrets before a log line or a health report leaves the process: values logged under a sensitive name,
/// and <c>key=value</c> secrets or URL passwords inside free text (connection strings in exception messages).
/// </summary>
internal static partial class LogRedactor
{
    public const string Mask = "***";

    private static readonly string[] SensitiveKeyParts =
        ["password", "pwd", "secret", "token", "apikey", "api_key", "connectionstring", "credential", "authorization"];

    // Every log line asks about the same few names (template holes, scope keys); the answer is kept for each.
    private const int KnownKeysLimit = 4096;
    private static readonly ConcurrentDictionary<string, bool> KnownKeys = new(StringComparer.Ordinal);

    public static bool IsSensitiveKey(string key)
    {
        if (KnownKeys.TryGetValue(key, out var sensitive))
        {
            return sensitive;
        }

        sensitive = SensitiveKeyParts.Any(part => key.Contains(part, StringComparison.OrdinalIgnoreCase));
        if (KnownKeys.Count < KnownKeysLimit)
        {
            KnownKeys.TryAdd(key, sensitive);
        }

        return sensitive;
    }

    public static string RedactText(string text) =>
        // Both patterns need a '=' or a ':'; most values (paths, ids, status words) have neither and skip the regexes.
        text.AsSpan().IndexOfAny('=', ':') < 0 ? text : UrlPassword().Replace(SecretAssignment().Replace(text, "${key}" + Mask), Mask);

    /// <summary>A secret logged under a sensitive name also appears in the formatted message; mask it there too.</summary>
    public static string RedactMessage(string message, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        for (var index = 0; index < values.Count; index++)
        {
            var (key, value) = values[index];
            if (IsSensitiveKey(key) && Convert.ToString(value, CultureInfo.InvariantCulture) is { Length: > 0 } secret)
            {
                message = message.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return RedactText(message);
    }

    /// <summary><c>Password=...</c>, <c>pwd: ...</c>, <c>ApiKey=...</c> up to the next separator, as in connection strings.</summary>
    [GeneratedRegex(@"(?<key>\b[\w.-]*(?:password|pwd|secret|token|api[_-]?key)\s*[=:]\s*)(?:""[^""]*""|'[^']*'|[^;,&\s""']+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretAssignment();

    /// <summary>The password of <c>scheme://user:password@host</c>.</summary>
    [GeneratedRegex(@"(?<=://[^/\s:@]*:)[^@\s/]+(?=@)", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
