namespace ReadinessAspire.Hosting.ApplicationModel;

/// <summary>Something whose value is known only at run time (an allocated port, a generated secret).</summary>
public interface IValueProvider
{
    ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default);
}

/// <summary>Something the manifest writes as an expression such as <c>{postgres.bindings.tcp.port}</c>.</summary>
public interface IManifestExpressionProvider
{
    string ValueExpression { get; }
}
