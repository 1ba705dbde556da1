using System.Collections.Concurrent;
using System.Text;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>
/// Every line a resource prints: to its own log file, and to the console prefixed with its replica name. A file is
/// rolled over by size (<c>x.log</c> becomes <c>x.1.log</c>, older ones move up, the oldest goes), because a busy
/// replica prints a line per request and a long run would otherwise fill the disk.
/// </summary>
internal sealed class OutputSink(string logDirectory, bool echoToConsole, long fileSizeLimit = 20 * 1024 * 1024, int fileCount = 5) : IDisposable
{
    private static readonly ConsoleColor[] s_palette = [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];
    private static readonly Lock s_console = new();
    private readonly ConcurrentDictionary<string, OutputFile> _files = new();
    private readonly string _logDirectory = logDirectory;
    private readonly long _fileSizeLimit = fileSizeLimit;
    private readonly int _fileCount = fileCount;

    public string LogFile(string instance) => Path.Combine(_logDirectory, $"{instance}.log");

    /// <summary>One line of the AppHost's own about a resource (started, exited).</summary>
    public void Write(string instance, string line) => WriteLines(instance, Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>
    /// Whole lines, each ending in a newline, as the process wrote them. They are written unbuffered before this
    /// returns: the file holds everything read from the process so far, however the AppHost ends.
    /// </summary>
    public void WriteLines(string instance, ReadOnlySpan<byte> lines)
    {
        var file = _files.GetOrAdd(instance, static (name, sink) => new OutputFile(sink, name), this);
        try
        {
            file.Write(lines);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk or a removed directory: the lines are lost from the file, but the process is still read,
            // so it never blocks on a full pipe. The next write tries the file again.
            file.Close();
        }

        if (echoToConsole)
        {
            Echo(instance, Encoding.UTF8.GetString(lines));
        }
    }

    public void Dispose()
    {
        foreach (var file in _files.Values)
        {
            file.Dispose();
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

    private sealed class OutputFile(OutputSink sink, string instance) : IDisposable
    {
        private readonly Lock _lock = new();
        private FileStream? _stream;
        private long _length;

        public void Write(ReadOnlySpan<byte> lines)
        {
            lock (_lock)
            {
                if (_stream is null)
                {
                    Open();
                }
                else if (_length > 0 && _length + lines.Length > sink._fileSizeLimit)
                {
                    RollOver();
                }

                _stream!.Write(lines);
                _length += lines.Length;
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                _stream?.Dispose();
                _stream = null;
            }
        }

        public void Dispose() => Close();

        private void Open()
        {
            Directory.CreateDirectory(sink._logDirectory);
            _stream = new FileStream(sink.LogFile(instance), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            _length = _stream.Length;
        }

        private void RollOver()
        {
            _stream!.Dispose();
            LogFiles.ShiftOlder(sink.LogFile(instance), sink._fileCount);
            Open();
        }
    }
}
