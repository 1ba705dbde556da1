using System.ComponentModel.DataAnnotations;
using WebApi.Http;

namespace WebApi.Gate;

/// <summary>Query of <c>GET /api/gate</c>.</summary>
public sealed class GateQuery
{
    /// <summary>The service's slug.</summary>
    [Required, Slug]
    public string? Service { get; init; }

    /// <summary>The environment whose latest scan counts, e.g. production.</summary>
    [Required, Slug]
    public string? Environment { get; init; }

    /// <summary>The lowest grade that passes (A+ to F); B when not given.</summary>
    [RegularExpression("^([A-Da-d][+-]?|[Ff])$", ErrorMessage = "Use a grade from A+ to F, e.g. B or A-.")]
    public string? MinimumGrade { get; init; }
}

public sealed record GateReview(Guid ReviewId, double Score, double Threshold, string Tier, bool Passed);

public sealed record GateScan(long ScanId, string Grade, int Score, string ObservatoryGrade, DateTimeOffset ScannedAt, string MinimumGrade, bool Passed);

/// <summary>Whether a service may ship: its review meets its tier and the latest scan of the environment meets the grade.</summary>
public sealed record GateResponse(string Service, string Environment, bool Passed, IReadOnlyList<string> Reasons, GateReview? Review, GateScan? Scan);
