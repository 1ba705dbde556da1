using System.Text;
using ReadinessAspire.Hosting.Orchestration;

namespace AppHost.Tests;

/// <summary>What a resource prints reaches its log file whole: every line, in order, never cut by another.</summary>
public sealed class OutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("readinessaspire-output-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Every_line_of_stdout_and_stderr_reaches_the_log_file_whole_and_in_order()
    {
        // Many short lines on both streams, a line far longer than a pipe read, and a last line with no newline.
        const string script = """
            for i in $(seq 1 5000); do echo "out $i"; echo "err $i" >&2; done
            head -c 100000 /dev/zero | tr '\0' 'x'; echo
            printf 'last words'
            """;
        using (var sink = new OutputSink(_directory, echoToConsole: false))
        {
            using var process = ProcessLauncher.Start("chatty", new ProcessSpec("bash", ["-c", script], new Dictionary<string, string>(), _directory), sink);
            await process.WaitForExitAsync(CancellationToken.None);
            sink.Write("chatty", $"[apphost] process {process.Id} exited with code {process.ExitCode}");
        }

        var lines = File.ReadAllLines(Path.Combine(_directory, "chatty.log"));

        Assert.StartsWith("[apphost] started bash as pid", lines[0], StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => $"out {i}"), lines.Where(l => l.StartsWith("out ", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => $"err {i}"), lines.Where(l => l.StartsWith("err ", StringComparison.Ordinal)));
        Assert.Equal(100_000, lines.Where(l => l.StartsWith('x')).Sum(l => l.Length));
        Assert.Equal("last words", lines[^2]);
        Assert.Matches(@"^\[apphost\] process \d+ exited with code 0$", lines[^1]);
        Assert.All(lines, line => Assert.Matches(@"^(out \d+|err \d+|x+|last words|\[apphost\] .*)$", line));
    }

    [Fact]
    public void Output_files_roll_over_by_size_and_keep_the_newest_lines()
    {
        using (var sink = new OutputSink(_directory, echoToConsole: false, fileSizeLimit: 1000, fileCount: 3))
        {
            foreach (var i in Enumerable.Range(1, 200))
            {
                sink.WriteLines("busy", Encoding.UTF8.GetBytes($"request {i:D4} {new string('.', 30)}\n"));
            }
        }

        Assert.Equal(["busy.1.log", "busy.2.log", "busy.log"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(_directory), file => Assert.InRange(new FileInfo(file).Length, 1, 1000));
        string[] oldestFirst = ["busy.2.log", "busy.1.log", "busy.log"];
        var kept = oldestFirst.SelectMany(file => File.ReadAllLines(Path.Combine(_directory, file))).ToList();
        var numbers = kept.Select(line => int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
        Assert.Equal(200, numbers[^1]);
    }

    [Fact]
    public void A_log_file_that_cannot_be_written_loses_its_lines_but_never_throws_into_the_pump()
    {
        // A file where the log directory should be: every open fails, as on a full or read-only disk.
        var blocked = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(blocked, "");
        using var sink = new OutputSink(blocked, echoToConsole: false);

        var thrown = Record.Exception(() =>
        {
            sink.WriteLines("stuck", "a line\n"u8);
            sink.Write("stuck", "[apphost] another");
        });

        Assert.Null(thrown);
        Assert.Equal("", File.ReadAllText(blocked));
    }
}
