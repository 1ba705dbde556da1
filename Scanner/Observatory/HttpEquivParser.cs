using AngleSharp.Html.Parser;

namespace Scanner.Observatory;

/// <summary>retriever/utils.js parseHttpEquivHeaders: CSP from &lt;meta http-equiv&gt;, referrer policy from &lt;meta name="referrer"&gt;.</summary>
public static class HttpEquivParser
{
    public const string ContentSecurityPolicy = "content-security-policy";
    public const string ReferrerPolicy = "referrer-policy";

    /// <remarks>
    /// Observatory parses a JSDOM fragment (template context); this parses a whole document with AngleSharp, which finds the
    /// same &lt;meta&gt; elements wherever they stand.
    /// </remarks>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Parse(string html)
    {
        var policies = new List<string>();
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [ContentSecurityPolicy] = policies };

        using var document = new HtmlParser().ParseDocument(html);
        foreach (var meta in document.QuerySelectorAll("meta"))
        {
            if (meta.HasAttribute("http-equiv") && meta.HasAttribute("content"))
            {
                var httpEquiv = meta.GetAttribute("http-equiv")?.ToLowerInvariant().Trim();
                var content = meta.GetAttribute("content");
                if (!string.IsNullOrEmpty(content) && httpEquiv == ContentSecurityPolicy)
                {
                    policies.Add(content);
                }
            }
            else if (meta.GetAttribute("name")?.ToLowerInvariant().Trim() == "referrer")
            {
                // Not http-equiv, but Observatory treats it so; the last one wins.
                var content = meta.GetAttribute("content");
                if (!string.IsNullOrEmpty(content))
                {
                    headers[ReferrerPolicy] = [content];
                }
            }
        }

        return headers;
    }
}
