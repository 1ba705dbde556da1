using System.Threading.Channels;

namespace ServiceDefaults.Logging;

/// <summary>
/// Appends lines to <c>{name}.jsonl</c> on a background task and rolls it over by size: the active file becomes
/// <c>{name}.1.jsonl</c>, older ones move up one number, and files past the count limit are deleted.
/// Loggers only enqueue; when the queue is full they wait, as the console logger does, rather than drop lines.
/// </summary>
internal sealed class RollingFileSink : IDisposable
{
    private const string Extension = ".jsonl";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<byte[]> lines = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly string directory;
    private readonly string name;
    private readonly long sizeLimit;
    private readonly int fileCount;
    private readonly Task writer;
    private FileStream? file;

    public RollingFileSink(string directory, string name, long sizeLimit, int fileCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fileCount, 1);

        this.directory = directory;
        this.name = name;
        this.sizeLimit = sizeLimit;
        this.fileCount = fileCount;
        Directory.CreateDirectory(directory);
        writer = Task.Run(WriteLinesAsync);
    }

    public string ActiveFilePath => FilePath(0);

    public void Enqueue(byte[] line)
    {
        if (lines.Writer.TryWrite(line))
        {
            return;
        }

        try
        {
            lines.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Logged after shutdown began: nothing will write it any more.
        }
    }

    /// <summary>Writes every queued line, then closes the file.</summary>
    public void Dispose()
    {
        lines.Writer.TryComplete();
        writer.Wait(DrainTimeout);
        file?.Dispose();
    }

    private async Task WriteLinesAsync()
    {
        while (await lines.Reader.WaitToReadAsync())
        {
            try
            {
                while (lines.Reader.TryRead(out var line))
                {
                    Write(line);
                }

                // Flushed whenever the queue runs dry, so a crash loses at most what was still queued.
                file?.Flush();
            }
            catch (IOException exception)
            {
                // A full or vanished disk must not take the service down; the console still has the logs.
                await Console.Error.WriteLineAsync($"File logging to {directory} failed: {exception.Message}");
                file?.Dispose();
                file = null;
            }
        }
    }

    private void Write(byte[] line)
    {
        file ??= new FileStream(ActiveFilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
        if (file.Length > 0 && file.Length + line.Length > sizeLimit)
        {
            RollOver();
        }

        file.Write(line);
    }

    private void RollOver()
    {
        file!.Dispose();
        File.Delete(FilePath(fileCount - 1));
        for (var index = fileCount - 2; index >= 0; index--)
        {
            if (File.Exists(FilePath(index)))
            {
                File.Move(FilePath(index), FilePath(index + 1));
            }
        }

        file = new FileStream(ActiveFilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    private string FilePath(int index) =>
        Path.Combine(directory, index == 0 ? name + Extension : $"{name}.{index}{Extension}");
}
