using System.Text;

namespace StaticHost.Tests;

/// <summary>A throw-away web root folder for pipeline tests.</summary>
internal sealed class TempWebRoot : IDisposable
{
    public TempWebRoot()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "statichost-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public TempWebRoot Write(string relativePath, string content) => Write(relativePath, Encoding.UTF8.GetBytes(content));

    public TempWebRoot Write(string relativePath, byte[] content)
    {
        var fullPath = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        File.WriteAllBytes(fullPath, content);
        return this;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
