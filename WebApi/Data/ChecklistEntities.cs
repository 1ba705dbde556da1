using Microsoft.EntityFrameworkCore;

namespace WebApi.Data;

public sealed class Checklist
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Summary { get; init; }
    public required string Version { get; init; }
    public List<ChecklistSection> Sections { get; init; } = [];
}

public sealed class ChecklistSection
{
    public required string ChecklistId { get; init; }
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Summary { get; init; }
    public required int Order { get; init; }
    public List<ChecklistItem> Items { get; init; } = [];
}

public sealed class ChecklistItem
{
    public required string ChecklistId { get; init; }
    public required string SectionId { get; init; }
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Guidance { get; init; }
    public required int Order { get; init; }
}

public static class ChecklistQueries
{
    /// <summary>Checklists read whole, sections and items included and untracked: what a review starts from.</summary>
    public static IQueryable<Checklist> WithSectionsAndItems(this IQueryable<Checklist> checklists) =>
        checklists.AsNoTracking().Include(c => c.Sections).ThenInclude(s => s.Items)
            // Items nest inside sections (no sibling collections), so one joined query has no cartesian explosion;
            // chosen here, so EF Core does not warn that it chose for us.
            .AsSingleQuery();
}
