using System.Text;

namespace ReadinessAspire.Fuzz;

/// <summary>
/// One parser fed untrusted bytes. <see cref="Run"/> lets through only what is a bug: an exception the parser does not
/// document, or a broken promise (<see cref="FuzzInvariantException"/>). What a parser may legitimately answer with,
/// such as a refusal, is caught inside the target. A hang or a stack overflow is afl-fuzz's to see.
/// </summary>
/// <param name="Name">The name bench/fuzz and the corpus folder (bench/Fuzz/Corpus/NAME) use.</param>
/// <param name="Description">What is fuzzed, and what counts as a crash.</param>
/// <param name="Run">Runs one input.</param>
/// <param name="Instrument">The assemblies to instrument for this target, each with the type prefixes that matter (none: every type).</param>
public sealed record FuzzTarget(string Name, string Description, Action<byte[]> Run, IReadOnlyList<string> Instrument);

/// <summary>The parser returned, but what it returned breaks a promise it makes (a sanitizer letting script through, say).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        MarkdownTarget.Target,
        UploadTarget.Target,
        FileNameTarget.Target,
        CspTarget.Target,
        HeadersTarget.Target,
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(target => target.Name == name);

    /// <summary>
    /// The assemblies to instrument for <paramref name="targets"/>, one "Assembly.dll&lt;TAB&gt;prefix,prefix" line each
    /// (an assembly some target wants whole is instrumented whole: no prefixes).
    /// </summary>
    public static IEnumerable<string> Instrumentation(IEnumerable<FuzzTarget> targets) =>
        targets.SelectMany(target => target.Instrument)
            .Select(entry => entry.Split(':', 2))
            .GroupBy(parts => parts[0], StringComparer.Ordinal)
            .Select(group => group.Any(parts => parts.Length == 1)
                ? group.Key + "\t"
                : group.Key + "\t" + string.Join(',', group.Select(parts => parts[1]).Distinct(StringComparer.Ordinal)));

    /// <summary>Bytes as ASP.NET Core hands a JSON or form string over: UTF-8, invalid sequences replaced.</summary>
    public static string Utf8(ReadOnlySpan<byte> input) => Encoding.UTF8.GetString(input);

    public static void Require(bool condition, string promise)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(promise);
        }
    }
}
