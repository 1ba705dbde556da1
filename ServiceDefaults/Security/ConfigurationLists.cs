using Microsoft.Extensions.Configuration;

namespace ServiceDefaults.Security;

public static class ConfigurationLists
{
    /// <summary>
    /// Entries of a setting given either as a configuration list (<c>Key:0</c>, <c>Key:1</c>, as environment
    /// variables <c>Key__0</c>) or as one string separated by commas or semicolons.
    /// </summary>
    public static IReadOnlyList<string> GetList(this IConfiguration configuration, string key)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration.GetSection(key);
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(child => child.Value ?? string.Empty);
        return [.. values.SelectMany(value => value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }
}
