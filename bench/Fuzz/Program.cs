using System.Diagnostics;
using ReadinessAspire.Fuzz;
using SharpFuzz;

// dotnet Fuzz.dll <target>                   under afl-fuzz: SharpFuzz's out-of-process fork server runs the target per input
// dotnet Fuzz.dll replay <target> <file>...  runs saved inputs (crashes, hangs, a corpus) and says what each did
// dotnet Fuzz.dll list                       the targets, one a line
// dotnet Fuzz.dll instrumentation <target>... what bench/fuzz instruments for them: "Assembly.dll<TAB>prefix,..." (no prefix: all)
switch (args)
{
    case ["instrumentation", .. var names] when names.All(name => FuzzTargets.Find(name) is not null):
        foreach (var line in FuzzTargets.Instrumentation(names.Select(name => FuzzTargets.Find(name)!)))
        {
            Console.WriteLine(line);
        }

        return 0;

    case ["list"]:
        foreach (var target in FuzzTargets.All)
        {
            Console.WriteLine($"{target.Name}\t{target.Description}");
        }

        return 0;

    case ["replay", var name, .. var files] when files.Length > 0 && FuzzTargets.Find(name) is { } target:
        return Replay(target, files);

    case [var name] when FuzzTargets.Find(name) is { } target:
        // Out of process: a hang (afl's timeout kills the child) or a stack overflow ends only the child, which the
        // server restarts, so the fuzzer runs on and counts it.
        Fuzzer.OutOfProcess.Run(stream => target.Run(ReadAll(stream)));
        return 0;

    default:
        Console.Error.WriteLine($"usage: Fuzz <target> | Fuzz replay <target> <file>... | Fuzz list | Fuzz instrumentation <target>...   (targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
        return 2;
}

static byte[] ReadAll(Stream stream)
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    return memory.ToArray();
}

// One line per input: "ok", or the exception that afl-fuzz counted as a crash with where it was thrown. A stack overflow
// still kills this process (nothing catches it), so bench/fuzz replays each saved crash in a process of its own.
static unsafe int Replay(FuzzTarget target, string[] files)
{
    // Instrumented code writes to afl's coverage map; outside afl-fuzz it gets one of its own (as SharpFuzz does).
    SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
    var failed = 0;
    foreach (var file in files)
    {
        var input = File.ReadAllBytes(file);
        var watch = Stopwatch.StartNew();
        try
        {
            target.Run(input);
            Console.WriteLine($"{file}: ok ({input.Length} bytes, {watch.ElapsedMilliseconds} ms)");
        }
#pragma warning disable CA1031 // Replay reports whatever the target threw: that is its purpose.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failed++;
            var frame = new StackTrace(exception, fNeedFileInfo: false).GetFrames()
                .Select(f => f.GetMethod())
                .FirstOrDefault(method => method?.DeclaringType?.Namespace is { } ns && !ns.StartsWith("System", StringComparison.Ordinal));
            var where = frame is null ? "" : $" at {frame.DeclaringType?.FullName}.{frame.Name}";
            Console.WriteLine($"{file}: {exception.GetType().FullName}: {FirstLine(exception.Message)}{where} ({input.Length} bytes)");
            Console.Error.WriteLine(exception);
        }
    }

    return failed == 0 ? 0 : 1;
}

static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');
