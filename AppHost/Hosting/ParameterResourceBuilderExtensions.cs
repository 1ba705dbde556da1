using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting;

public static class ParameterResourceBuilderExtensions
{
    /// <summary>
    /// A parameter read from configuration <c>Parameters:name</c>. A secret one that is not configured is generated
    /// once and kept in the AppHost's secret store (user secrets), so what was initialised with it keeps working.
    /// </summary>
    /// <summary>
    /// A parameter with a value of its own, which configuration <c>Parameters:name</c> still overrides; with
    /// <paramref name="publishValueAsDefault"/> the manifest offers the value as the deployment's default.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, string value, bool publishValueAsDefault = false, bool secret = false)
    {
        var configurationKey = $"Parameters:{name}";
        return builder.AddResource(new ParameterResource(name, () => builder.Configuration[configurationKey] is { Length: > 0 } configured ? configured : value, secret)
        {
            PublishedDefault = publishValueAsDefault ? value : null,
        });
    }

    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = false)
    {
        var configurationKey = $"Parameters:{name}";
        var generate = secret ? new GenerateParameterDefault(MinLength: 32) : null;
        var store = ((DistributedApplicationBuilder)builder).Secrets;
        return builder.AddResource(new ParameterResource(name, ResolveValue, secret) { Default = generate });

        string ResolveValue()
        {
            if (builder.Configuration[configurationKey] is { Length: > 0 } configured)
            {
                return configured;
            }

            return generate is not null
                ? store.GetOrGenerate(name, generate)
                : throw new DistributedApplicationException($"Parameter '{name}' has no value: set {configurationKey.Replace(":", "__", StringComparison.Ordinal)} in the environment or {configurationKey} in configuration.");
        }
    }
}
