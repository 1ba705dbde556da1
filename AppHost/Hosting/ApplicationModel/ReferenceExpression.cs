using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ReadinessAspire.Hosting.ApplicationModel;

/// <summary>
/// A string built from literals and run-time values, e.g. a connection string. It resolves to text at run time
/// and to an expression such as <c>Host={postgres.bindings.tcp.host}</c> in the manifest.
/// </summary>
public sealed class ReferenceExpression : IValueProvider, IManifestExpressionProvider
{
    private readonly IReadOnlyList<object> _parts;

    private ReferenceExpression(IReadOnlyList<object> parts) => _parts = parts;

    /// <summary>The value providers inside the expression, so callers can see what it depends on.</summary>
    public IEnumerable<IValueProvider> ValueProviders => _parts.OfType<IValueProvider>();

    public string ValueExpression => string.Concat(_parts.Select(p => p is IManifestExpressionProvider e ? e.ValueExpression : (string)p));

    public static ReferenceExpression Create(in ExpressionInterpolatedStringHandler handler) => new(handler.Parts);

    /// <summary>An expression of any number of parts: strings, and values that are both resolvable and writable to the manifest.</summary>
    public static ReferenceExpression Concat(IEnumerable<object> parts) => new([.. parts.Select(part => part switch
    {
        string or (IValueProvider and IManifestExpressionProvider) => part,
        _ => throw new ArgumentException($"A reference expression cannot hold a {part.GetType().Name}.", nameof(parts)),
    })]);

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            text.Append(part is IValueProvider provider ? await provider.GetValueAsync(cancellationToken) : (string)part);
        }

        return text.ToString();
    }

    public override string ToString() => ValueExpression;

    [InterpolatedStringHandler]
    public readonly struct ExpressionInterpolatedStringHandler
    {
        internal List<object> Parts { get; }

#pragma warning disable IDE0060 // The compiler's handler pattern passes both lengths.
        public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount) => Parts = new List<object>(formattedCount * 2 + 1);
#pragma warning restore IDE0060

        public void AppendLiteral(string value) => Parts.Add(value);

        public void AppendFormatted(string? value) => Parts.Add(value ?? string.Empty);

        public void AppendFormatted(int value) => Parts.Add(value.ToString(CultureInfo.InvariantCulture));

        public void AppendFormatted<T>(T value)
            where T : IValueProvider, IManifestExpressionProvider => Parts.Add(value);
    }
}
