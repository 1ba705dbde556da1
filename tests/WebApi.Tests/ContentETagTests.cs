using WebApi.Checklists;
using WebApi.Http;

namespace WebApi.Tests;

public sealed class ContentETagTests
{
    private static ChecklistDetail Checklist(string itemGuidance) =>
        new("production-readiness", "Title", "Summary", "1.0",
        [
            new ChecklistSectionDetail("WEB", "Web", "Section summary",
            [
                new ChecklistItemDetail("WEB-01", "Load balancing", itemGuidance),
            ]),
        ]);

    [Fact]
    public void Equal_content_gives_the_same_etag()
    {
        // Two separately built instances: the tag depends on the content, not on object identity.
        Assert.Equal(ContentETag.Compute(Checklist("Spread traffic.")), ContentETag.Compute(Checklist("Spread traffic.")));
    }

    [Fact]
    public void Any_change_in_content_changes_the_etag()
    {
        Assert.NotEqual(ContentETag.Compute(Checklist("Spread traffic.")), ContentETag.Compute(Checklist("Spread traffic!")));
    }

    [Fact]
    public void The_etag_is_a_strong_quoted_entity_tag()
    {
        var etag = ContentETag.Compute(Checklist("Spread traffic."));

        Assert.Matches("^\"[0-9a-f]{64}\"$", etag);
    }
}
