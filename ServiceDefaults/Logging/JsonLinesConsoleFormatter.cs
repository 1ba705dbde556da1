using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace ServiceDefaults.Logging;

/// <summary>The console formatter of non-Development environments: the same JSON lines as the log file.</summary>
internal sealed class JsonLinesConsoleFormatter(JsonLogLineFormatter formatter) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "jsonlines";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter) =>
        textWriter.Write(Encoding.UTF8.GetString(formatter.FormatLine(logEntry, scopeProvider)));
}
