using Scanner.Observatory;
using Scanner.Tests.Sites;
using Xunit.Abstractions;

namespace Scanner.Tests.Oracle;

/// <summary>
/// The scanner's Observatory port must grade a site as MDN's Observatory 1.4.8 itself does: both retrieve the same
/// nginx site (the scanner with <see cref="Scanner.Net.SiteClient"/>, Observatory with its own retriever through
/// observatory-scan.mjs) and must agree on every test's result, pass flag and modifier, the score and the letter.
/// </summary>
public sealed class ObservatoryAgreementTests(ITestOutputHelper output)
{
    [Fact]
    public Task The_hardened_site_is_graded_as_observatory_grades_it() => AgreeAsync(TestSites.Hardened);

    [Fact]
    public Task The_weak_site_is_graded_as_observatory_grades_it() => AgreeAsync(TestSites.Weak);

    [Theory]
    [MemberData(nameof(OracleSites.Names), MemberType = typeof(OracleSites))]
    public Task A_variant_is_graded_as_observatory_grades_it(string variant) => AgreeAsync(OracleSites.All[variant]);

    private async Task AgreeAsync(SiteDefinition definition)
    {
        ObservatoryOracle.AssertInstalled();
        await using var site = await NginxSite.StartAsync(definition);

        using var client = site.CreateClient();
        var ours = ObservatoryRubric.Analyze(await client.RetrieveAsync(site.Target(), CancellationToken.None));
        var theirs = await ObservatoryOracle.ScanAsync(site);

        foreach (var (mine, oracle) in ours.Tests.Zip(theirs.Tests))
        {
            output.WriteLine($"{mine.Name}: ours {mine.Result} ({mine.ScoreModifier}), Observatory {oracle.Result} ({oracle.ScoreModifier})");
        }

        output.WriteLine($"grade: ours {ours.Grade.Score} {ours.Grade.Letter}, Observatory {theirs.Score} {theirs.Grade}");
        Assert.Equal(
            theirs.Tests,
            [.. ours.Tests.Select(test => new OracleTest(test.Name, test.Result, test.ScoreModifier, test.Pass))]);
        Assert.Equal((theirs.Score, theirs.Grade), (ours.Grade.Score, ours.Grade.Letter));
    }
}
