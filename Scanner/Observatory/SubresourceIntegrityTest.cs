using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace Scanner.Observatory;

public sealed class SubresourceIntegrityOutput(string expectation) : ObservatoryOutput(expectation)
{
    public override string Name => "subresource-integrity";

    /// <summary>Each script from another origin, by its src, with its crossorigin and integrity.</summary>
    public Dictionary<string, ScriptAttributes> Scripts { get; set; } = new(StringComparer.Ordinal);

    public override string? Data => Serialize(Scripts);
}

/// <summary>A script's crossorigin (as the DOM reflects it) and integrity attributes.</summary>
public sealed record ScriptAttributes(
    [property: System.Text.Json.Serialization.JsonPropertyName("crossorigin")] string? CrossOrigin,
    [property: System.Text.Json.Serialization.JsonPropertyName("integrity")] string? Integrity);

/// <summary>src/analyzer/tests/subresource-integrity.js, with AngleSharp in place of JSDOM.</summary>
public static partial class SubresourceIntegrityTest
{
    private static readonly HashSet<string> HtmlTypes = new(StringComparer.Ordinal) { "text/html", "application/xhtml+xml" };

    // Best to worst, for onlyIfWorse.
    private static readonly string[] Goodness =
    [
        Expectation.SriImplementedAndAllScriptsLoadedSecurely,
        Expectation.SriImplementedAndExternalScriptsLoadedSecurely,
        Expectation.SriImplementedButExternalScriptsNotLoadedSecurely,
        Expectation.SriNotImplementedButExternalScriptsLoadedSecurely,
        Expectation.SriNotImplementedAndExternalScriptsNotLoadedSecurely,
        Expectation.SriNotImplementedResponseNotHtml,
    ];

    /// <remarks>
    /// JSDOM throws on a few malformed pages (Observatory then reports "html-not-parseable"); AngleSharp parses every page,
    /// so that result is never produced here.
    /// </remarks>
    public static SubresourceIntegrityOutput Run(ObservatoryRequests requests, string expectation = Expectation.SriImplementedAndExternalScriptsLoadedSecurely)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new SubresourceIntegrityOutput(expectation);
        var response = requests.Responses.Auto;
        if (response is null)
        {
            output.Result = Expectation.SriNotImplementedButNoScriptsLoaded;
            return output;
        }

        var mime = (Headers.First(response, "content-type") ?? "").Split(';')[0];
        if (!HtmlTypes.Contains(mime))
        {
            // Not HTML: no scripts to load, which is fine.
            output.Result = Expectation.SriNotImplementedResponseNotHtml;
        }
        else
        {
            using var document = new HtmlParser().ParseDocument(requests.PageText ?? "");
            var baseUrl = DocumentBaseUrl(document);
            var siteDomain = PublicSuffixList.GetDomain(requests.Hostname.ToLowerInvariant(), includePrivateDomains: false);
            var scriptsOnForeignOrigin = false;
            var scripts = document.QuerySelectorAll("script");
            foreach (var script in scripts)
            {
                var src = ReflectedUrl(script.GetAttribute("src"), baseUrl);
                if (string.IsNullOrEmpty(src))
                {
                    continue;
                }

                var integrity = script.GetAttribute("integrity");
                var crossOrigin = ReflectedCrossOrigin(script.GetAttribute("crossorigin"));

                var relativeOrigin = false;
                var relativeProtocol = false;
                bool sameSecondLevelDomain;
                if (RelativeProtocol().IsMatch(src))
                {
                    // src="//example.com/script.js"
                    relativeProtocol = true;
                    sameSecondLevelDomain = true;
                }
                else if (FullUrl().IsMatch(src))
                {
                    sameSecondLevelDomain = RegistrableDomainOf(src) == siteDomain;
                }
                else
                {
                    // src="/path" and the like.
                    relativeOrigin = true;
                    sameSecondLevelDomain = true;
                }

                var secureOrigin = relativeOrigin || (sameSecondLevelDomain && !relativeProtocol);
                scriptsOnForeignOrigin |= !secureOrigin;

                string? scheme = null;
                if (!relativeProtocol && !relativeOrigin)
                {
                    scheme = Uri.TryCreate(src, UriKind.Absolute, out var url) ? url.Scheme + ":" : null;
                }

                var secureScheme = scheme == "https:" || (relativeOrigin && requests.SessionIsHttps);
                var hasIntegrity = !string.IsNullOrEmpty(integrity);

                if (!secureOrigin)
                {
                    output.Scripts[src] = new ScriptAttributes(crossOrigin, integrity);
                    if (hasIntegrity && !secureScheme)
                    {
                        output.Result = Expectation.OnlyIfWorse(Expectation.SriImplementedButExternalScriptsNotLoadedSecurely, output.Result, Goodness);
                    }
                    else if (!hasIntegrity && secureScheme)
                    {
                        output.Result = Expectation.OnlyIfWorse(Expectation.SriNotImplementedButExternalScriptsLoadedSecurely, output.Result, Goodness);
                    }
                    else if (!hasIntegrity)
                    {
                        output.Result = Expectation.OnlyIfWorse(Expectation.SriNotImplementedAndExternalScriptsNotLoadedSecurely, output.Result, Goodness);
                    }
                }
                else if (hasIntegrity && secureScheme && output.Result is null)
                {
                    // The bonus even for SRI on the same origin.
                    output.Result = Expectation.SriImplementedAndAllScriptsLoadedSecurely;
                }
            }

            if (scripts.Length == 0)
            {
                output.Result = Expectation.SriNotImplementedButNoScriptsLoaded;
            }
            else
            {
                output.Result ??= scriptsOnForeignOrigin
                    ? Expectation.SriImplementedAndExternalScriptsLoadedSecurely
                    : Expectation.SriNotImplementedButAllScriptsLoadedFromSecureOrigin;
            }
        }

        if (output.Data!.Length >= 32768)
        {
            output.Scripts.Clear();
        }

        output.Pass = output.Result is Expectation.SriImplementedAndAllScriptsLoadedSecurely
                or Expectation.SriImplementedAndExternalScriptsLoadedSecurely
                or Expectation.SriNotImplementedResponseNotHtml
                or Expectation.SriNotImplementedButAllScriptsLoadedFromSecureOrigin
                or Expectation.SriNotImplementedButNoScriptsLoaded
            || output.Result == expectation;
        return output;
    }

    /// <summary>tldts parse(url).domain (ICANN suffixes only, its default).</summary>
    private static string? RegistrableDomainOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? PublicSuffixList.GetDomain(uri.Host.ToLowerInvariant(), includePrivateDomains: false) : null;

    /// <summary>
    /// JSDOM's document has the URL about:blank, so script.src is the attribute itself unless it is an absolute URL
    /// (then the parsed, normalised URL) or a &lt;base href&gt; gives a base to resolve against.
    /// </summary>
    private static Uri? DocumentBaseUrl(AngleSharp.Html.Dom.IHtmlDocument document) =>
        document.QuerySelector("base[href]")?.GetAttribute("href") is { } href
        && Uri.TryCreate(href.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : null;

    private static string? ReflectedUrl(string? attribute, Uri? baseUrl)
    {
        if (attribute is null)
        {
            return null;
        }

        var trimmed = attribute.Trim();
        if (Scheme().IsMatch(trimmed))
        {
            return Uri.TryCreate(trimmed, UriKind.Absolute, out var absolute) ? absolute.AbsoluteUri : attribute;
        }

        if (baseUrl is not null)
        {
            return Uri.TryCreate(baseUrl, trimmed, out var resolved) ? resolved.AbsoluteUri : attribute;
        }

        // Against about:blank only an empty URL or a fragment resolves.
        return trimmed.Length == 0 ? "about:blank" : trimmed.StartsWith('#') ? "about:blank" + trimmed : attribute;
    }

    /// <summary>The crossOrigin IDL attribute: null when absent, "use-credentials" when so, else "anonymous".</summary>
    private static string? ReflectedCrossOrigin(string? attribute) => attribute switch
    {
        null => null,
        _ when attribute.Equals("use-credentials", StringComparison.OrdinalIgnoreCase) => "use-credentials",
        _ => "anonymous",
    };

    [GeneratedRegex(@"^(//)[^/]")]
    private static partial Regex RelativeProtocol();

    [GeneratedRegex("^https?://")]
    private static partial Regex FullUrl();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();
}
