using System.Text.RegularExpressions;

namespace AppHost.Tests.Product;

/// <summary>
/// The WebApi replicas' JSON log files in a stack's data directory. They go with the directory when the stack stops,
/// so a test that got an answer it did not expect prints the lines behind it: the run's output is all that is left.
/// </summary>
internal static partial class WebApiLog
{
    private const int MostLines = 40;

    /// <summary>Every line of the replicas' log files, file by file.</summary>
    public static async IAsyncEnumerable<string> LinesAsync(string dataDirectory)
    {
        var logs = Path.Combine(dataDirectory, "logs", "webapi");
        foreach (var file in Directory.Exists(logs) ? Directory.GetFiles(logs, "*.jsonl") : [])
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// The lines logged for the trace a problem's <c>traceId</c> names; without one (nginx's own error page, say), the
    /// replicas' last errors. Starts with a newline, to follow the failure's message.
    /// </summary>
    public static async Task<string> ForProblemAsync(string dataDirectory, string problem)
    {
        var traceId = ProblemTraceId().Match(problem) is { Success: true } match ? match.Groups[1].Value : null;
        var lines = new List<string>();
        // A replica writes its log lines in batches, a moment after the answer may have left: read again for a while.
        for (var attempt = 0; attempt < 20 && lines.Count == 0; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(100);
            }

            await foreach (var line in LinesAsync(dataDirectory))
            {
                if (traceId is null
                    ? line.Contains("\"level\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"level\":\"Critical\"", StringComparison.Ordinal)
                    : line.Contains(traceId, StringComparison.Ordinal))
                {
                    lines.Add(line);
                }
            }
        }

        return $"\nWebApi's log for {(traceId is null ? "any trace, errors only" : "trace " + traceId)} ({lines.Count} lines{(lines.Count > MostLines ? $", the last {MostLines} shown" : "")}):\n"
            + string.Join('\n', lines.TakeLast(MostLines));
    }

    // W3C trace context, as ASP.NET Core writes a problem's traceId: 00-{trace id}-{span id}-{flags}.
    [GeneratedRegex(@"""traceId""\s*:\s*""00-([0-9a-f]{32})-")]
    private static partial Regex ProblemTraceId();
}
