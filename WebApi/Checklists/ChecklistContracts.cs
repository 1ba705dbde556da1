namespace WebApi.Checklists;

public sealed record ChecklistSummary(string Id, string Title, string Summary, string Version, int SectionCount, int ItemCount);

public sealed record ChecklistDetail(string Id, string Title, string Summary, string Version, IReadOnlyList<ChecklistSectionDetail> Sections);

public sealed record ChecklistSectionDetail(string Id, string Title, string Summary, IReadOnlyList<ChecklistItemDetail> Items);

public sealed record ChecklistItemDetail(string Id, string Title, string Guidance);
