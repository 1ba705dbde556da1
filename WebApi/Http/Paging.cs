using System.ComponentModel.DataAnnotations;

namespace WebApi.Http;

/// <summary>One page of a list, and how many items there are in all.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int Total);

/// <summary>Query parameters <c>page</c> (from 1) and <c>pageSize</c> (1 to 100, 20 by default).</summary>
public sealed class PageQuery
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    [Range(1, 100_000)]
    public int? Page { get; init; }

    [Range(1, MaxSize)]
    public int? PageSize { get; init; }

    public int Number => Page ?? 1;

    public int Size => PageSize ?? DefaultSize;

    public int Skip => (Number - 1) * Size;
}
