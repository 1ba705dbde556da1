namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Size-based roll-over of the log files the AppHost keeps: <c>x.log</c>, then <c>x.1.log</c> (newest old one), ...</summary>
internal static class LogFiles
{
    public static string Numbered(string activePath, int index) =>
        index == 0 ? activePath : Path.ChangeExtension(activePath, $"{index}{Path.GetExtension(activePath)}");

    /// <summary>Moves every file up one number, the active one to <c>.1</c>; the one past <paramref name="count"/> is deleted.</summary>
    public static void ShiftOlder(string activePath, int count)
    {
        File.Delete(Numbered(activePath, count - 1));
        for (var index = count - 2; index >= 0; index--)
        {
            if (File.Exists(Numbered(activePath, index)))
            {
                File.Move(Numbered(activePath, index), Numbered(activePath, index + 1));
            }
        }
    }
}
