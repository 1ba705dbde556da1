using System.Text.RegularExpressions;
using WebApi.Data;

namespace WebApi.Tests;

public sealed partial class ChecklistSeedTests
{
    [GeneratedRegex(@"^[A-Z]+-\d{2}$")]
    private static partial Regex ItemIdPattern();

    [Fact]
    public void The_five_sections_of_the_source_document_are_present_in_order()
    {
        var sectionIds = ChecklistSeed.Sections.OrderBy(section => section.Order).Select(section => section.Id);

        Assert.Equal(["WEB", "OBS", "MED", "SEC", "CICD"], sectionIds);
    }

    [Fact]
    public void Every_section_has_items()
    {
        foreach (var section in ChecklistSeed.Sections)
        {
            Assert.Contains(ChecklistSeed.Items, item => item.SectionId == section.Id);
        }
    }

    [Fact]
    public void Item_ids_are_unique()
    {
        var duplicates = ChecklistSeed.Items.GroupBy(item => item.Id).Where(group => group.Count() > 1).Select(group => group.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Item_ids_are_well_formed_and_prefixed_by_their_section()
    {
        Assert.All(ChecklistSeed.Items, item =>
        {
            Assert.Matches(ItemIdPattern(), item.Id);
            Assert.StartsWith(item.SectionId + "-", item.Id, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_section_and_item_belongs_to_the_seeded_checklist()
    {
        var checklist = Assert.Single(ChecklistSeed.Checklists);

        Assert.All(ChecklistSeed.Sections, section => Assert.Equal(checklist.Id, section.ChecklistId));
        Assert.All(ChecklistSeed.Items, item =>
        {
            Assert.Equal(checklist.Id, item.ChecklistId);
            Assert.Contains(ChecklistSeed.Sections, section => section.Id == item.SectionId);
        });
    }

    [Fact]
    public void Item_order_within_each_section_runs_from_one_without_gaps()
    {
        foreach (var section in ChecklistSeed.Items.GroupBy(item => item.SectionId))
        {
            Assert.Equal(Enumerable.Range(1, section.Count()), section.Select(item => item.Order).Order());
        }
    }
}
