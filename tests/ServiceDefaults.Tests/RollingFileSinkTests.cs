using System.Text;
using ServiceDefaults.Logging;

namespace ServiceDefaults.Tests;

public sealed class RollingFileSinkTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("servicedefaults-roll-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void The_file_rolls_at_the_size_limit_and_at_most_the_count_limit_of_files_remain()
    {
        const int sizeLimit = 1_000;
        var lines = Enumerable.Range(0, 100).Select(i => $"{{\"n\":{i:D4},\"pad\":\"{new string('x', 80)}\"}}\n").ToList();
        Assert.All(lines, line => Assert.Equal(100, line.Length));

        using (var sink = new RollingFileSink(directory, "orders-1", sizeLimit, fileCount: 3))
        {
            lines.ForEach(line => sink.Enqueue(Encoding.UTF8.GetBytes(line)));
        }

        var files = Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["orders-1.1.jsonl", "orders-1.2.jsonl", "orders-1.jsonl"], files);
        // Ten 100-byte lines fill a file exactly; the last thirty lines survive, newest in the active file.
        Assert.All(files, file => Assert.Equal(sizeLimit, new FileInfo(Path.Combine(directory, file!)).Length));
        Assert.Equal(lines[90..], File.ReadAllLines(Path.Combine(directory, "orders-1.jsonl")).Select(line => line + "\n"));
        Assert.Equal(lines[80..90], File.ReadAllLines(Path.Combine(directory, "orders-1.1.jsonl")).Select(line => line + "\n"));
        Assert.Equal(lines[70..80], File.ReadAllLines(Path.Combine(directory, "orders-1.2.jsonl")).Select(line => line + "\n"));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_logs_and_their_directory_are_the_service_user_s_only()
    {
        var logs = Path.Combine(directory, "logs", "webapi");
        using (var sink = new RollingFileSink(logs, "webapi-1", 100, 2))
        {
            // Two lines over the size limit: the rolled file keeps the mode too.
            sink.Enqueue(Encoding.UTF8.GetBytes($"{{\"reset\":\"{new string('x', 80)}\"}}\n"));
            sink.Enqueue(Encoding.UTF8.GetBytes($"{{\"reset\":\"{new string('y', 80)}\"}}\n"));
        }

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Path.Combine(logs, "webapi-1.jsonl")));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Path.Combine(logs, "webapi-1.1.jsonl")));
        Assert.Equal(ownerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logs));
    }

    [Fact]
    public void A_restarted_sink_appends_to_the_active_file()
    {
        using (var sink = new RollingFileSink(directory, "orders-1", 1_000, 2))
        {
            sink.Enqueue("first\n"u8.ToArray());
        }

        using (var sink = new RollingFileSink(directory, "orders-1", 1_000, 2))
        {
            sink.Enqueue("second\n"u8.ToArray());
        }

        Assert.Equal(["first", "second"], File.ReadAllLines(Path.Combine(directory, "orders-1.jsonl")));
    }
}
