using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class FindingCatalogueTests
{
    // The item ids of WebApi/Data/ChecklistSeed.cs.
    private static readonly HashSet<string> ChecklistItems =
    [
        "WEB-01", "WEB-02", "WEB-03", "WEB-04", "OBS-01", "OBS-02", "MED-01", "MED-02", "MED-03",
        "SEC-01", "SEC-02", "SEC-03", "SEC-04", "SEC-05", "SEC-06", "CICD-01", "CICD-02", "CICD-03",
    ];

    [Fact]
    public void Ids_are_unique_and_every_item_is_a_checklist_item()
    {
        Assert.Equal(FindingCatalogue.All.Count, FindingCatalogue.All.Select(definition => definition.Id).Distinct().Count());
        Assert.All(FindingCatalogue.All, definition => Assert.Contains(definition.ChecklistItem, ChecklistItems));
        Assert.All(FindingCatalogue.All, definition => Assert.False(string.IsNullOrWhiteSpace(definition.Fix)));
    }

    [Fact]
    public void A_passing_finding_has_no_fix_and_a_failing_one_does()
    {
        Assert.Equal("", FindingCatalogue.HstsMaxAge.Pass("x").Fix);
        Assert.Equal(FindingCatalogue.HstsMaxAge.Fix, FindingCatalogue.HstsMaxAge.Fail("x").Fix);
    }
}
