using System.Collections.Concurrent;
using System.Text;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Every line a resource prints: to its own log file, and to the console prefixed with its replica name.</summary>
internal sealed class OutputSink(string logDirectory, bool echoToConsole) : IDisposable
{
    private static readonly ConsoleColor[] s_palette = [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];
    private static readonly Lock s_console = new();
    private readonly ConcurrentDictionary<string, FileStream> _files = new();

    public string LogFile(string instance) => Path.Combine(logDirectory, $"{instance}.log");

    /// <summary>One line of the AppHost's own about a resource (started, exited).</summary>
    public void Write(string instance, string line) => WriteLines(instance, Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>
    /// Whole lines, each ending in a newline, as the process wrote them. They are flushed before this returns: the
    /// file holds everything read from the process so far, however the AppHost ends.
    /// </summary>
    public void WriteLines(string instance, ReadOnlySpan<byte> lines)
    {
        var file = _files.GetOrAdd(instance, name =>
        {
            Directory.CreateDirectory(logDirectory);
            return new FileStream(LogFile(name), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        });
        lock (file)
        {
            file.Write(lines);
        }

        if (echoToConsole)
        {
            Echo(instance, Encoding.UTF8.GetString(lines));
        }
    }

    private static void Echo(string instance, string lines)
    {
        var color = s_palette[(int)((uint)string.GetHashCode(instance, StringComparison.Ordinal) % s_palette.Length)];
        lock (s_console)
        {
            foreach (var line in lines.TrimEnd('\n').Split('\n'))
            {
                var previous = Console.ForegroundColor;
                Console.ForegroundColor = color;
                Console.Write($"{instance,-12}| ");
                Console.ForegroundColor = previous;
                Console.WriteLine(line.TrimEnd('\r'));
            }
        }
    }

    public void Dispose()
    {
        foreach (var file in _files.Values)
        {
            lock (file)
            {
                file.Dispose();
            }
        }
    }
}
