namespace ReadinessAspire.Hosting.ApplicationModel;

/// <summary>
/// A value supplied from outside: configuration <c>Parameters:name</c> (environment <c>Parameters__name</c>), or for
/// secrets generated once and kept in the AppHost's secret store.
/// </summary>
public sealed class ParameterResource(string name, Func<string> resolveValue, bool secret) : Resource(name), IValueProvider, IManifestExpressionProvider
{
    private readonly Lazy<string> _value = new(resolveValue);

    public bool Secret { get; } = secret;

    /// <summary>When set, a missing value is generated (and the manifest asks azd to generate it).</summary>
    public GenerateParameterDefault? Default { get; init; }

    /// <summary>A value the manifest offers as the default input (never for a secret).</summary>
    public string? PublishedDefault { get; init; }

    public string Value => _value.Value;

    public string ValueExpression => $"{{{Name}.value}}";

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(Value);
}

/// <summary>How a missing parameter is generated, mirroring the manifest's <c>generate</c> input default.</summary>
public sealed record GenerateParameterDefault(int MinLength = 32, bool Special = false);
