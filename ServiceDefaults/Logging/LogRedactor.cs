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

    public static bool IsSensitiveKey(string key) =>
        SensitiveKeyParts.Any(part => key.Contains(part, StringComparison.OrdinalIgnoreCase));

    public static string RedactText(string text) =>
        UrlPassword().Replace(SecretAssignment().Replace(text, "${key}" + Mask), Mask);

    /// <summary><c>Password=...</c>, <c>pwd: ...</c>, <c>ApiKey=...</c> up to the next separator, as in connection strings.</summary>
    [GeneratedRegex(@"(?<key>\b[\w.-]*(?:password|pwd|secret|token|api[_-]?key)\s*[=:]\s*)(?:""[^""]*""|'[^']*'|[^;,&\s""']+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretAssignment();

    /// <summary>The password of <c>scheme://user:password@host</c>.</summary>
    [GeneratedRegex(@"(?<=://[^/\s:@]*:)[^@\s/]+(?=@)", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
