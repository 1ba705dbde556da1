using System.ComponentModel.DataAnnotations;
using Scanner;
using WebApi.Data;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Scans;

namespace WebApi.Services;

/// <summary>Where the service runs; <c>profile</c> says whether the scanner grades it as a web page (default) or an API.</summary>
public sealed record ServiceEnvironmentRequest(
    [property: Required, Slug, NotAdHocEnvironment] string Name,
    [property: Required, HttpUrl] string BaseUrl,
    ScanProfile? Profile);

public sealed record CreateServiceRequest(
    [property: Required] Guid? TeamId,
    [property: Required, MinLength(1), MaxLength(Limits.Name)] string Name,
    [property: Required, Slug] string Slug,
    [property: MaxLength(Limits.Description)] string? Description,
    [property: HttpUrl] string? RepositoryUrl,
    [property: ServiceTags] IReadOnlyList<string>? Tags,
    [property: MaxLength(Limits.Environments), NoNullItems, UniqueEnvironmentNames] IReadOnlyList<ServiceEnvironmentRequest>? Environments,
    CriticalityTier? Tier);

/// <summary>PUT replaces every field; the slug and the team stay as they are.</summary>
public sealed record UpdateServiceRequest(
    [property: Required, MinLength(1), MaxLength(Limits.Name)] string Name,
    [property: MaxLength(Limits.Description)] string? Description,
    [property: HttpUrl] string? RepositoryUrl,
    [property: ServiceTags] IReadOnlyList<string>? Tags,
    [property: MaxLength(Limits.Environments), NoNullItems, UniqueEnvironmentNames] IReadOnlyList<ServiceEnvironmentRequest>? Environments,
    [property: Required] CriticalityTier? Tier);

/// <summary>
/// Each environment once: a scan, the gate and a review's findings name an environment by its name, so two of one name
/// would scan one URL, gate on whichever finished last, and overwrite each other's findings.
/// </summary>
public sealed class UniqueEnvironmentNamesAttribute : ValidationAttribute
{
    public UniqueEnvironmentNamesAttribute()
        : base("Give each environment a name of its own.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not IEnumerable<ServiceEnvironmentRequest?> environments
        || environments.OfType<ServiceEnvironmentRequest>().Where(e => e.Name is not null).CountBy(e => e.Name, StringComparer.OrdinalIgnoreCase).All(count => count.Value == 1);
}

/// <summary>Not <see cref="ScanTargets.AdHocEnvironment"/>, which files the scans of URLs that are no environment.</summary>
public sealed class NotAdHocEnvironmentAttribute : ValidationAttribute
{
    public NotAdHocEnvironmentAttribute()
        : base($"\"{ScanTargets.AdHocEnvironment}\" files the scans of URLs that are none of the service's environments; choose another name.")
    {
    }

    public override bool IsValid(object? value) => value is not string name || name != ScanTargets.AdHocEnvironment;
}

/// <summary>Query of <c>GET /api/services</c>.</summary>
public sealed class ServiceListQuery
{
    // Control characters match no name, slug or tag, and the list's cache refuses a key holding one (an error logged
    // for every such request): refused here, as the bad input they are.
    private const string NoControlCharacters = @"^\P{Cc}*$";

    /// <summary>Part of the name or slug, case-insensitive.</summary>
    [MaxLength(100)]
    [RegularExpression(NoControlCharacters, ErrorMessage = "The search cannot hold control characters.")]
    public string? Search { get; init; }

    /// <summary>Only services with this tag.</summary>
    [MaxLength(Limits.Tag)]
    [RegularExpression(NoControlCharacters, ErrorMessage = "The tag cannot hold control characters.")]
    public string? Tag { get; init; }

    public Guid? TeamId { get; init; }

    /// <summary><c>name</c>, <c>-name</c>, <c>updated</c>, <c>-updated</c>, <c>tier</c> or <c>-tier</c>.</summary>
    [RegularExpression("^-?(name|updated|tier)$", ErrorMessage = "Sort by name, updated or tier, with - for descending.")]
    public string? Sort { get; init; }

    [Range(1, 100_000)]
    public int? Page { get; init; }

    [Range(1, PageQuery.MaxSize)]
    public int? PageSize { get; init; }
}

public sealed record EnvironmentResponse(string Name, string BaseUrl, ScanProfile Profile);

public sealed record ServiceResponse(
    Guid Id,
    Guid TeamId,
    string Name,
    string Slug,
    string Description,
    string? RepositoryUrl,
    IReadOnlyList<string> Tags,
    IReadOnlyList<EnvironmentResponse> Environments,
    CriticalityTier Tier,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ServiceReadiness Readiness,
    string Etag);
