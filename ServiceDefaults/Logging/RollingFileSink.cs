namespace ServiceDefaults.Logging;

/// <summary>
/// Appends lines to <c>{name}.jsonl</c> and rolls it over by size: the active file becomes <c>{name}.1.jsonl</c>,
/// older ones move up one number, and files past the count limit are deleted.
/// </summary>
internal sealed class RollingFileSink : BackgroundLineWriter
{
    private const string Extension = ".jsonl";
    private const int BufferSize = 64 * 1024;

    // The service's own user only: a log can hold what others on the machine must not read (a local run mails its
    // sign-up and reset links to the log), and the data directory they sit in is traversable by all.
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string directory;
    private readonly string name;
    private readonly long sizeLimit;
    private readonly int fileCount;
    private FileStream? file;

    // Counted here rather than asked of the file, which would be a system call per line.
    private long fileLength;

    public RollingFileSink(string directory, string name, long sizeLimit, int fileCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fileCount, 1);

        this.directory = directory;
        this.name = name;
        this.sizeLimit = sizeLimit;
        this.fileCount = fileCount;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }

        StartWriting();
    }

    public string ActiveFilePath => FilePath(0);

    protected override void Write(byte[] line)
    {
        if (file is null)
        {
            OpenActiveFile();
        }
        else if (fileLength > 0 && fileLength + line.Length > sizeLimit)
        {
            RollOver();
        }

        file!.Write(line);
        fileLength += line.Length;
    }

    protected override void Flush() => file?.Flush();

    protected override void OnWriteFailed(IOException exception)
    {
        // A full or vanished disk must not take the service down; the console still has the logs.
        Console.Error.WriteLine($"File logging to {directory} failed: {exception.Message}");
        CloseDestination();
    }

    protected override void CloseDestination()
    {
        file?.Dispose();
        file = null;
    }

    private void OpenActiveFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = BufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        file = new FileStream(ActiveFilePath, options);
        fileLength = file.Length;
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

        OpenActiveFile();
    }

    private string FilePath(int index) =>
        Path.Combine(directory, index == 0 ? name + Extension : $"{name}.{index}{Extension}");
}
