using System.Reflection;

namespace WebApi.Tests.Security;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>WebApi's own build output, the binary the AppHost runs, built in the same configuration as the tests.</summary>
    public static string WebApiDll
    {
        get
        {
            var configuration = typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var targetFramework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            var dll = Path.Combine(Root, "WebApi", "bin", configuration, targetFramework, "WebApi.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"WebApi is not built at '{dll}'.", dll);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReadinessAspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("ReadinessAspire.sln was not found above the test output directory.");
    }
}
