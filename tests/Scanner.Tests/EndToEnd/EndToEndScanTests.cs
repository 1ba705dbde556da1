using System.Globalization;
using Scanner.Tests.Sites;
using Xunit.Abstractions;
using static Scanner.Tests.EndToEnd.ReferenceSiteExpectations;

namespace Scanner.Tests.EndToEnd;

/// <summary>
/// <see cref="SiteScanner"/> with the real <see cref="Scanner.Net.SiteClient"/> (the test CA trusted, loopback and the
/// site's two ports allowed) against the hardened and the weak nginx site: every finding, Observatory's ten results,
/// score and letter, the API profile's grade and the checklist, all as derived in <see cref="ReferenceSiteExpectations"/>.
/// </summary>
public sealed class EndToEndScanTests(HardenedSiteFixture hardened, WeakSiteFixture weak, ITestOutputHelper output)
    : IClassFixture<HardenedSiteFixture>, IClassFixture<WeakSiteFixture>
{
    /// <summary>Scans a site as the server would, and prints how long it took.</summary>
    internal static async Task<ScanReport> ScanAsync(NginxSite site, ScanProfile profile, ITestOutputHelper? output = null)
    {
        using var client = site.CreateClient();
        var report = await new SiteScanner(client, TimeProvider.System).ScanAsync(site.Target(profile), CancellationToken.None);
        output?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"scan duration, {site.Definition.Name} site ({profile}): {report.Duration.TotalMilliseconds:0} ms"));
        return report;
    }

    [Fact]
    public async Task The_hardened_site_gets_every_observatory_bonus_and_an_A_plus()
    {
        var report = await ScanAsync(hardened.Site, ScanProfile.Web, output);

        // No negative modifier: 100, which is at least 90, so the bonuses count: 100 + 10 + 5 + 5 + 5 + 10 = 135, A+.
        var (score, beforeBonuses, letter) = ExpectedObservatory.Grade(HardenedObservatory);
        Assert.Equal((135, 100, "A+"), (score, beforeBonuses, letter));
        Assert.Equal(HardenedObservatory, ExpectedObservatory.Seen(report.Observatory));
        Assert.Equal((score, beforeBonuses, letter), (report.Observatory.Grade.Score, report.Observatory.Grade.ScoreBeforeBonuses, report.Observatory.Grade.Letter));
        // The web profile's grade is Observatory's own.
        Assert.Equal(report.Observatory.Grade, report.ProfileGrade);
    }

    [Fact]
    public async Task An_http_target_whose_https_certificate_does_not_verify_fails_https_on_the_checklist()
    {
        // The hardened site by its http:// URL, with the test CA not trusted: the redirect and the HSTS header are
        // right, the certificate is not one a browser accepts.
        using var client = hardened.Site.CreateClient(trustTestCa: false);
        var target = new ScanTarget(hardened.Site.HttpUrl, ScanProfile.Web, hardened.Site.HttpPort, hardened.Site.HttpsPort);

        var report = await new SiteScanner(client, TimeProvider.System).ScanAsync(target, CancellationToken.None);

        Assert.NotNull(report.Tls);
        Assert.False(report.Tls.ChainTrusted);
        var https = Assert.Single(report.Checklist.Items, item => item.ItemId == "SEC-04");
        Assert.False(https.Passed);
        Assert.Contains("tls-chain-trusted", https.FailingFindings);
        Assert.Contains("hsts-max-age", https.FailingFindings);
        Assert.Contains("https-redirect", https.PassingFindings);
    }

    [Fact]
    public async Task The_weak_site_scores_0_and_an_F()
    {
        var report = await ScanAsync(weak.Site, ScanProfile.Web, output);

        // 100 - 20 - 40 - 20 - 20 - 5 - 5 - 20 = -30: under 90, so no bonuses (there are none); floored at 0, F.
        var (score, beforeBonuses, letter) = ExpectedObservatory.Grade(WeakObservatory);
        Assert.Equal((0, -30, "F"), (score, beforeBonuses, letter));
        Assert.Equal(WeakObservatory, ExpectedObservatory.Seen(report.Observatory));
        Assert.Equal((score, beforeBonuses, letter), (report.Observatory.Grade.Score, report.Observatory.Grade.ScoreBeforeBonuses, report.Observatory.Grade.Letter));
        Assert.Equal(report.Observatory.Grade, report.ProfileGrade);
    }

    [Fact]
    public async Task The_hardened_site_has_exactly_the_expected_findings_and_checklist()
    {
        var report = await ScanAsync(hardened.Site, ScanProfile.Web, output);

        AssertFindings(HardenedFindings, HardenedNotApplicable, report);
        // Nine items are evidenced, and every one passes.
        AssertChecklist(report, HardenedFindings, HardenedNotApplicable, expectedPassed: 9, expectedTotal: 9);
    }

    [Fact]
    public async Task The_weak_site_has_exactly_the_expected_findings_and_checklist()
    {
        var report = await ScanAsync(weak.Site, ScanProfile.Web, output);

        AssertFindings(WeakFindings, WeakNotApplicable, report);
        // WEB-02 (compression) and MED-01 (asset caching) have only not-applicable findings, so they do not count;
        // the seven others all fail.
        AssertChecklist(report, WeakFindings, WeakNotApplicable, expectedPassed: 0, expectedTotal: 7);
    }

    [Fact]
    public async Task The_hardened_site_as_an_api_keeps_its_grade_and_its_page_findings_become_info()
    {
        var report = await ScanAsync(hardened.Site, ScanProfile.Api, output);

        // The API profile only zeroes negative modifiers of content-security-policy, subresource-integrity,
        // x-frame-options and referrer-policy; the hardened site has no negative modifier, so it keeps every bonus: 135, A+.
        Assert.Equal(HardenedObservatory, ExpectedObservatory.Seen(report.Observatory));
        var (score, beforeBonuses, letter) = ExpectedObservatory.Grade(HardenedObservatory);
        Assert.Equal((score, beforeBonuses, letter), (report.ProfileGrade.Score, report.ProfileGrade.ScoreBeforeBonuses, report.ProfileGrade.Letter));

        var info = HardenedNotApplicable.Union(PageOnly).ToHashSet();
        AssertFindings(HardenedFindings, info, report);
        // Asset caching was MED-01's only finding; as Info it no longer counts: eight items, all passing.
        AssertChecklist(report, HardenedFindings, info, expectedPassed: 8, expectedTotal: 8);
    }

    [Fact]
    public async Task The_weak_site_as_an_api_is_still_an_F()
    {
        var report = await ScanAsync(weak.Site, ScanProfile.Api, output);

        // The page-only penalties (CSP -20, SRI -5, XFO -20) become 0; cookies -40, redirection -20, HSTS -20 and
        // X-Content-Type-Options -5 stay: 100 - 85 = 15, F.
        var api = WeakObservatory.Select(test => test.Name is "content-security-policy" or "subresource-integrity" or "x-frame-options" or "referrer-policy"
            && test.Modifier < 0 ? test with { Modifier = 0 } : test).ToList();
        var (score, beforeBonuses, letter) = ExpectedObservatory.Grade(api);
        Assert.Equal((15, 15, "F"), (score, beforeBonuses, letter));
        Assert.Equal((score, beforeBonuses, letter), (report.ProfileGrade.Score, report.ProfileGrade.ScoreBeforeBonuses, report.ProfileGrade.Letter));
        // Observatory's own grade is unchanged.
        Assert.Equal((0, "F"), (report.Observatory.Grade.Score, report.Observatory.Grade.Letter));
    }

    /// <summary>The same ids, each passing or failing as expected, Info exactly where not applicable.</summary>
    internal static void AssertFindings(IReadOnlyDictionary<string, bool> expected, IReadOnlySet<string> info, ScanReport report)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), report.Findings.Select(finding => finding.Id).Order(StringComparer.Ordinal));
        Assert.Equal(
            expected.Where(pair => !pair.Value).Select(pair => pair.Key).Order(StringComparer.Ordinal),
            report.Failures.Select(finding => finding.Id).Order(StringComparer.Ordinal));
        Assert.Equal(
            info.Order(StringComparer.Ordinal),
            report.Findings.Where(finding => finding.Severity == Severity.Info).Select(finding => finding.Id).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The checklist derived from the expected findings by its rule (an item counts when a non-Info finding evidences it,
    /// and passes when none of its findings fails), and the counts written out.
    /// </summary>
    private static void AssertChecklist(ScanReport report, IReadOnlyDictionary<string, bool> findings, IReadOnlySet<string> info, int expectedPassed, int expectedTotal)
    {
        var items = findings.Where(pair => !info.Contains(pair.Key))
            .GroupBy(pair => ChecklistItems[pair.Key])
            .ToDictionary(group => group.Key, group => group.All(pair => pair.Value));
        Assert.Equal((expectedPassed, expectedTotal), (items.Count(item => item.Value), items.Count));
        Assert.Equal(
            items.OrderBy(item => item.Key, StringComparer.Ordinal).Select(item => (item.Key, item.Value)),
            report.Checklist.Items.Select(item => (item.ItemId, item.Passed)));
        Assert.Equal((expectedPassed, expectedTotal), (report.Checklist.Passed, report.Checklist.Total));
    }
}
