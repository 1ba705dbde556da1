using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Scanner.Checks;

/// <summary>
/// Files and pages a production site must not serve: repository and secret files (SEC-01, SEC-05), debug pages,
/// directory listings and TRACE (SEC-02), a foreign Host (SEC-03), and security.txt (WEB-03).
/// Evidence never quotes a secret: it names keys and shapes, not values.
/// </summary>
public static partial class ExposureChecks
{
    public const string GitHeadPath = "/.git/HEAD";
    public const string DotEnvPath = "/.env";
    public const string AppSettingsPath = "/appsettings.json";
    public const string SecurityTxtPath = "/.well-known/security.txt";

    /// <summary>A path no site has, so the answer is the site's 404 page (which a debug mode fills with diagnostics).</summary>
    public const string NotFoundProbePath = "/readiness-scanner-probe-404";

    /// <summary>A host name that cannot be the site's (RFC 2606 reserves .invalid).</summary>
    public const string ForeignHost = "scanner-probe.invalid";

    /// <summary>Directories often left browsable; the page's own asset directories are probed too.</summary>
    public static IReadOnlyList<string> CommonDirectories { get; } = ["/static/", "/assets/", "/images/", "/uploads/", "/files/"];

    // Markers of debug pages, matched case-sensitively as the frameworks write them:
    // - ASP.NET Core's developer exception page (Microsoft.AspNetCore.Diagnostics, ErrorPage.cshtml): the heading
    //   resource ErrorPageHtml_UnhandledException and the raw-exception toggle's element id.
    // - Django's technical 404 and 500 pages (django/views/templates/technical_404.html, technical_500.html):
    //   the "DEBUG = True" footer and the URLconf listing of the 404 page.
    private static readonly (string Framework, string Marker)[] DebugPageMarkers =
    [
        ("ASP.NET Core developer exception page", "An unhandled exception occurred while processing the request."),
        ("ASP.NET Core developer exception page", "id=\"rawExceptionButton\""),
        ("Django debug page", "<code>DEBUG = True</code>"),
        ("Django debug page", "Using the URLconf defined in <code>"),
    ];

    public static Finding GitHead(ObservedResponse response)
    {
        var body = response.Body?.Trim() ?? "";
        var exposed = response.Status == 200 && (body.StartsWith("ref: refs/", StringComparison.Ordinal) || GitObjectId().IsMatch(body));
        return FindingCatalogue.ExposedGit.Check(!exposed,
            exposed ? $"GET {GitHeadPath} → 200 with a git ref ({FirstLine(body)})" : $"GET {GitHeadPath} → {response.Status}");
    }

    public static Finding DotEnv(ObservedResponse response)
    {
        var keys = response.Status == 200 && response.Body is { } body && !body.TrimStart().StartsWith('<')
            ? body.Split('\n').Select(line => DotEnvLine().Match(line)).Where(match => match.Success).Select(match => match.Groups["key"].Value).ToList()
            : [];
        return FindingCatalogue.ExposedEnv.Check(keys.Count == 0,
            keys.Count == 0 ? $"GET {DotEnvPath} → {response.Status}" : $"GET {DotEnvPath} → 200 with KEY=VALUE lines for {string.Join(", ", keys.Take(5))}");
    }

    public static Finding AppSettings(ObservedResponse response)
    {
        var keys = response.Status == 200 ? JsonObjectKeys(response.Body) : null;
        return FindingCatalogue.ExposedAppSettings.Check(keys is null,
            keys is null ? $"GET {AppSettingsPath} → {response.Status}" : $"GET {AppSettingsPath} → 200 with a JSON object ({string.Join(", ", keys.Take(5))})");
    }

    /// <summary>The not-found probe's body, and the page itself, checked for debug-page markers.</summary>
    public static Finding DebugErrorPage(ObservedResponse notFound, string? pageText)
    {
        foreach (var (source, body) in new[] { ($"GET {NotFoundProbePath} → {notFound.Status}", notFound.Body), ("the page", pageText) })
        {
            if (body is null)
            {
                continue;
            }

            foreach (var (framework, marker) in DebugPageMarkers)
            {
                if (body.Contains(marker, StringComparison.Ordinal))
                {
                    return FindingCatalogue.DebugErrorPage.Fail($"{source} shows the {framework} (\"{marker}\")");
                }
            }
        }

        return FindingCatalogue.DebugErrorPage.Pass($"GET {NotFoundProbePath} → {notFound.Status} without debug markers");
    }

    /// <summary>Listings from nginx/Apache/ASP.NET Core ("Index of /"), Python's http.server and IIS.</summary>
    public static Finding DirectoryListing(IReadOnlyList<ObservedResponse> directories)
    {
        var listed = directories.Where(response => response.Status == 200 && response.Body is { } body && DirectoryListingMarker().IsMatch(body)).ToList();
        return listed.Count == 0
            ? FindingCatalogue.DirectoryListing.Pass($"no listing at {string.Join(", ", directories.Select(response => $"{response.Url.AbsolutePath} ({response.Status})"))}")
            : FindingCatalogue.DirectoryListing.Fail($"listing at {string.Join(", ", listed.Select(response => response.Url.AbsolutePath))}");
    }

    /// <summary>TRACE answered 200 with the request echoed back (cross-site tracing can read HttpOnly cookies that way).</summary>
    public static Finding Trace(ObservedResponse response)
    {
        var echoed = response.Status == 200 && response.Body is { } body && body.Contains("TRACE /", StringComparison.Ordinal);
        return FindingCatalogue.TraceMethod.Check(!echoed, echoed ? "TRACE / → 200 echoing the request" : $"TRACE / → {response.Status}");
    }

    /// <summary>
    /// A request for <see cref="ForeignHost"/> must be refused: 4xx/5xx (400, 421, nginx's 444), or a redirect that does not
    /// go to that host. A 2xx means the site serves any name (cache poisoning, password-reset links to an attacker's host).
    /// A null response means the server closed the connection without answering, nginx's 444, which refuses it.
    /// </summary>
    public static Finding ForeignHostHeader(ObservedResponse? response)
    {
        if (response is null)
        {
            return FindingCatalogue.ForeignHost.Pass($"Host: {ForeignHost} → connection closed without a response");
        }

        var location = response.Headers.Get("Location");
        var evidence = $"Host: {ForeignHost} → {response.Status}" + (location is null ? "" : $" Location: {location}");
        if (response.Status is >= 200 and < 300)
        {
            return FindingCatalogue.ForeignHost.Fail(evidence);
        }

        var redirectsToForeign = response.Status is >= 300 and < 400 && location is not null
            && Uri.TryCreate(response.Url, location, out var target) && target.Host.Equals(ForeignHost, StringComparison.OrdinalIgnoreCase);
        return FindingCatalogue.ForeignHost.Check(!redirectsToForeign, evidence);
    }

    /// <summary>RFC 9116: a Contact field is required; an Expires in the past makes the file stale.</summary>
    public static Finding SecurityTxt(ObservedResponse response, DateTimeOffset now)
    {
        if (response.Status != 200 || response.Body is not { } body || body.TrimStart().StartsWith('<'))
        {
            return FindingCatalogue.SecurityTxt.Fail($"GET {SecurityTxtPath} → {response.Status}");
        }

        string? Field(string name) => body.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => line[(name.Length + 1)..].Trim())
            .FirstOrDefault();
        var contact = Field("Contact");
        var expires = Field("Expires");
        if (contact is null)
        {
            return FindingCatalogue.SecurityTxt.Fail($"GET {SecurityTxtPath} → 200 without Contact:");
        }

        if (expires is not null && DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) && expiry < now)
        {
            return FindingCatalogue.SecurityTxt.Fail($"Contact: {contact}, Expires: {expires} (past)");
        }

        return FindingCatalogue.SecurityTxt.Pass($"Contact: {contact}" + (expires is null ? " (no Expires:)" : $", Expires: {expires}"));
    }

    private static List<string>? JsonObjectKeys(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? [.. document.RootElement.EnumerateObject().Select(property => property.Name)]
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string FirstLine(string body) => body.Split('\n')[0].Trim();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex GitObjectId();

    [GeneratedRegex(@"^\s*(export\s+)?(?<key>[A-Za-z_][A-Za-z0-9_.]*)\s*=")]
    private static partial Regex DotEnvLine();

    [GeneratedRegex(@"<title>\s*(Index of /|Directory listing for /)|<h1>\s*Index of /|\[To Parent Directory\]", RegexOptions.IgnoreCase)]
    private static partial Regex DirectoryListingMarker();
}
