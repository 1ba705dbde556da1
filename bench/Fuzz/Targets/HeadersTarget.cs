using Scanner;
using Scanner.Reports;

namespace ReadinessAspire.Fuzz;

/// <summary>
/// A whole response of a scanned site: header lines ("Name: value"), a blank line, then the page. Every request of the
/// scan gets it (the page, the http and https sessions, the preflight, the probes), so every check that reads
/// headers or the page runs on it: Set-Cookie (Observatory's jar and the checklist's parser), HSTS, Referrer-Policy,
/// CORS, caching, exposure probes, http-equiv and SRI in the page; then the report in every format, and the JSON
/// report read back. Nothing may throw: a site's response must never break its scan or its report.
/// </summary>
internal static class HeadersTarget
{
    private const int MaxHeaders = 64;

    public static FuzzTarget Target { get; } = new(
        "headers",
        "scanner response parsing: the whole scan (Observatory rubric, header, cookie, page and probe checks) on one response, then every report format; crash = any exception",
        Run,
        ["Scanner.dll", "AngleSharp.dll"]);

    private static void Run(byte[] input)
    {
        var end = input.AsSpan().IndexOf("\n\n"u8);
        var head = ScanInput.Latin1(end < 0 ? input : input.AsSpan(0, end));
        var body = end < 0 ? null : FuzzTargets.Utf8(input.AsSpan(end + 2));

        var headers = new HeaderCollection();
        foreach (var line in head.Split('\n').Take(MaxHeaders))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && ScanInput.IsToken(line[..colon]) && ScanInput.HeaderValue(line[(colon + 1)..]) is { } value)
            {
                headers.Add(line[..colon], value);
            }
        }

        var page = new ObservedResponse(ScanInput.Page, 200, headers, true, body);
        var client = new ScanInput.OneResponseClient(ScanInput.Retrieval(page, body), page);
        var report = new SiteScanner(client, TimeProvider.System).ScanAsync(new ScanTarget(ScanInput.Page), CancellationToken.None).GetAwaiter().GetResult();

        _ = TextReport.Render(report);
        _ = SarifReport.Render(report);
        _ = JUnitReport.Render(report);
        var json = ScanReportJson.Serialize(report);
        FuzzTargets.Require(ScanReportJson.Serialize(ScanReportJson.Deserialize(json)) == json, "the JSON report does not read back as written");
    }
}
