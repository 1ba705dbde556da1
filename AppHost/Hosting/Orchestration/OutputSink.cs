using System.Collections.Concurrent;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Every line a resource prints: to the console prefixed with its replica name, and to its own log file.</summary>
internal sealed class OutputSink(string logDirectory, bool echoToConsole) : IDisposable
{
    private static readonly ConsoleColor[] s_palette = [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];
    private static readonly Lock s_console = new();
    private readonly ConcurrentDictionary<string, StreamWriter> _files = new();

    public string LogFile(string instance) => Path.Combine(logDirectory, $"{instance}.log");

    public void Write(string instance, string line)
    {
        var file = _files.GetOrAdd(instance, name =>
        {
            Directory.CreateDirectory(logDirectory);
            return new StreamWriter(new FileStream(LogFile(name), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        });
        lock (file)
        {
            file.WriteLine(line);
        }

        if (!echoToConsole)
        {
            return;
        }

        lock (s_console)
        {
            var previous = Console.ForegroundColor;
            Console.ForegroundColor = s_palette[(int)((uint)string.GetHashCode(instance, StringComparison.Ordinal) % s_palette.Length)];
            Console.Write($"{instance,-12}| ");
            Console.ForegroundColor = previous;
            Console.WriteLine(line);
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
