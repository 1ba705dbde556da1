using System.Runtime.InteropServices;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>The few POSIX calls .NET does not expose: signals other than SIGKILL, process groups, file owners.</summary>
internal static partial class NativeMethods
{
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGTERM = 15;

    private const int ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>Signals a whole process group (every child is started as its own group leader).</summary>
    public static bool SignalGroup(int processGroupId, int signal) => Kill(-processGroupId, signal) == 0 || Marshal.GetLastPInvokeError() != ESRCH;

    public static bool Signal(int processId, int signal) => Kill(processId, signal) == 0;

    public static bool GroupExists(int processGroupId) => Kill(-processGroupId, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH;

    public static void ChangeOwner(string path, UnixUser user)
    {
        if (Chown(path, user.Uid, user.Gid) != 0)
        {
            throw new IOException($"chown {user.Name} {path} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}

internal sealed record UnixUser(string Name, uint Uid, uint Gid)
{
    public static UnixUser? Find(string name) =>
        File.ReadLines("/etc/passwd")
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length > 3 && fields[0] == name)
            .Select(fields => new UnixUser(name, uint.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), uint.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture)))
            .FirstOrDefault();
}
