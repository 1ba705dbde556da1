using System.Globalization;
using Microsoft.Extensions.Options;
using WebApi.Services;

namespace WebApi.Reviews;

/// <summary>
/// The score a tier's review must reach to count as ready, from <c>Readiness:Tiers</c>. The defaults follow the idea
/// of Mercari's public production-readiness process: the most critical services must meet every item.
/// </summary>
public sealed class ReadinessOptions
{
    public Dictionary<CriticalityTier, double> Tiers { get; init; } = new()
    {
        [CriticalityTier.A] = 1.0,
        [CriticalityTier.B] = 0.9,
        [CriticalityTier.C] = 0.75,
    };
}

/// <summary>Counts of a review's items, as the score sees them on a given day.</summary>
public sealed record ItemCounts(int Total, int Done, int Waived)
{
    /// <summary>done / (items - waived); a review with every item waived is complete.</summary>
    public double Score => Total - Waived <= 0 ? 1.0 : (double)Done / (Total - Waived);
}

public sealed record ServiceReadiness(Guid? ReviewId, double? Score, double Required, bool Ready, string Reason);

public sealed class ReadinessPolicy(IOptions<ReadinessOptions> options)
{
    public double Required(CriticalityTier tier) => options.Value.Tiers.GetValueOrDefault(tier, 1.0);

    public ServiceReadiness Evaluate(CriticalityTier tier, Guid? reviewId, ItemCounts? counts)
    {
        var required = Required(tier);
        if (reviewId is null || counts is null)
        {
            return new(null, null, required, false, "No review yet: start one against the checklist.");
        }

        var score = Math.Round(counts.Score, 4);
        var ready = score >= required;
        var reason = ready
            ? $"Score {Percent(score)} meets tier {tier}'s {Percent(required)}."
            : $"Score {Percent(score)} is below tier {tier}'s {Percent(required)}: {counts.Total - counts.Waived - counts.Done} item(s) not done.";
        return new(reviewId, score, required, ready, reason);
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}

public static class ReviewExtensions
{
    public static IHostApplicationBuilder AddReviews(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ReadinessOptions>(builder.Configuration.GetSection("Readiness"));
        builder.Services.AddSingleton<ReadinessPolicy>();
        return builder;
    }
}
