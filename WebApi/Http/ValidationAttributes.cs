using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using WebApi.Data;

namespace WebApi.Http;

/// <summary>Lower-case letters, digits and single hyphens, e.g. <c>checkout-api</c>: safe in URLs, paths and metric labels.</summary>
public sealed partial class SlugAttribute : ValidationAttribute
{
    public SlugAttribute()
        : base("Use 1 to 64 lower-case letters, digits and single hyphens, e.g. checkout-api.")
    {
    }

    public override bool IsValid(object? value) =>
        value is null || (value is string slug && slug.Length <= Limits.Slug && SlugPattern().IsMatch(slug));

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}

/// <summary>An absolute http or https URL with a host; no credentials in it.</summary>
/// <remarks>
/// Scans store the escaped spelling (<see cref="Uri.AbsoluteUri"/>), which can be longer than the text given
/// ("é" is "%C3%A9"), so both must fit the column.
/// </remarks>
public sealed class HttpUrlAttribute : ValidationAttribute
{
    public HttpUrlAttribute()
        : base($"Use an absolute http:// or https:// URL of at most {Limits.Url} characters once escaped, without a user name or password.")
    {
    }

    public override bool IsValid(object? value) =>
        value is null
        || (value is string text && text.Length <= Limits.Url
            && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && uri.AbsoluteUri.Length <= Limits.Url
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && !string.IsNullOrEmpty(uri.Host)
            && string.IsNullOrEmpty(uri.UserInfo));
}

/// <summary>Tags: at most 20, each 1 to 50 lower-case letters, digits, hyphens or dots.</summary>
public sealed partial class ServiceTagsAttribute : ValidationAttribute
{
    public ServiceTagsAttribute()
        : base($"Use at most {Limits.Tags} tags, each 1 to {Limits.Tag} lower-case letters, digits, '-' or '.'.")
    {
    }

    public override bool IsValid(object? value) =>
        value is null
        || (value is IReadOnlyCollection<string> tags && tags.Count <= Limits.Tags
            && tags.All(tag => tag is { Length: > 0 and <= Limits.Tag } && TagPattern().IsMatch(tag)));

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}

/// <summary>A list without null items: <c>[null]</c> is not an empty list, and the handlers read every item.</summary>
public sealed class NoNullItemsAttribute : ValidationAttribute
{
    public NoNullItemsAttribute()
        : base("Leave out the items that are null.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not System.Collections.IEnumerable items || items.Cast<object?>().All(item => item is not null);
}
