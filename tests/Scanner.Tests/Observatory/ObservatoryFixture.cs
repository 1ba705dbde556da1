using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/helpers.js emptyRequests: mozilla.org, every response a verified 200 text/html, an https session.</summary>
internal sealed class ObservatoryFixture
{
    public ObservatoryFixture(string? htmlFile = null)
    {
        Html = htmlFile is null ? null : ObservatoryPages.Get(htmlFile);
    }

    public string Hostname { get; set; } = "mozilla.org";

    public string? Html { get; set; }

    public int AutoStatus { get; set; } = 200;

    public HeaderCollection Auto { get; } = HtmlHeaders();

    public HeaderCollection Cors { get; } = HtmlHeaders();

    public HeaderCollection Http { get; } = HtmlHeaders();

    public HeaderCollection Https { get; } = HtmlHeaders();

    public bool HasHttp { get; set; } = true;

    public bool HasHttps { get; set; } = true;

    public bool HttpsVerified { get; set; } = true;

    public bool SessionIsHttps { get; set; } = true;

    public string? CorsRequestOrigin { get; set; }

    public List<SetCookieHeader> SetCookies { get; } = [];

    public HstsPreloadList PreloadList { get; set; } = HstsPreloadList.Empty;

    public List<RedirectHop> HttpRedirects { get; set; } =
    [
        Hop("http://mozilla.org/", 301),
        Hop("https://mozilla.org/", 301),
        Hop("https://www.mozilla.org/", 200),
    ];

    public static RedirectHop Hop(string url, int status) => new(new Uri(url), status);

    /// <summary>cookies.test.js setCookieStrings: on the final response's headers and into the jar, from https://mozilla.org/.</summary>
    public ObservatoryFixture WithCookies(params string[] cookies)
    {
        foreach (var cookie in cookies)
        {
            Auto.Add("Set-Cookie", cookie);
            SetCookies.Add(new SetCookieHeader(new Uri("https://mozilla.org/"), cookie));
        }

        return this;
    }

    public SiteResponses Responses() => new()
    {
        Hostname = Hostname,
        Auto = new ObservedResponse(new Uri("https://mozilla.org/"), AutoStatus, Auto, true, Html),
        Cors = new ObservedResponse(new Uri("https://mozilla.org/"), 200, Cors, true, null),
        Http = HasHttp ? new ObservedResponse(new Uri("http://mozilla.org/"), 200, Http, true, null) : null,
        Https = HasHttps ? new ObservedResponse(new Uri("https://mozilla.org/"), 200, Https, HttpsVerified, null) : null,
        HttpRedirects = HttpRedirects,
        HttpsRedirects =
        [
            Hop("https://mozilla.org/", 301),
            Hop("https://www.mozilla.org/", 200),
        ],
        PageText = Html,
        SetCookies = SetCookies,
    };

    public ObservatoryRequests Build() => new(Responses(), PreloadList)
    {
        SessionIsHttps = SessionIsHttps,
        CorsRequestOrigin = CorsRequestOrigin,
    };

    private static HeaderCollection HtmlHeaders()
    {
        var headers = new HeaderCollection();
        headers.Add("Content-Type", "text/html");
        return headers;
    }
}
