using System.Text.Encodings.Web;
using System.Text.Json;

namespace Scanner.Observatory;

/// <summary>One test's output, as Observatory's BaseOutput (src/types.js) plus the fields each test adds.</summary>
public abstract class ObservatoryOutput(string expectation)
{
    private static readonly JsonSerializerOptions DataJson = new()
    {
        // The data is shown to people; CSP sources read better with their quotes unescaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The test's name, as Observatory's API reports it.</summary>
    public abstract string Name { get; }

    public string Expectation { get; } = expectation;

    public string? Result { get; set; }

    public bool Pass { get; set; }

    /// <summary>What the test read, as compact JSON; null when it read nothing.</summary>
    public abstract string? Data { get; }

    public ObservatoryTestResult ToResult()
    {
        var result = Result ?? "";
        return new ObservatoryTestResult(Name, Expectation, result, Pass, ObservatoryCharts.ScoreModifier(result), Data);
    }

    protected static string Serialize<T>(T value) => JsonSerializer.Serialize(value, DataJson);
}
