using System.Text.Json.Nodes;

namespace AppHost.Tests.Deployment;

/// <summary>Files of the repository these tests check, found from the AppHost project the test project references.</summary>
internal static class RepositoryFiles
{
    /// <summary>
    /// The AppHost's folder. Aspire's AppHost SDK generates <c>Projects.AppHost</c> with the project's folder as its
    /// <c>ProjectPath</c> (where the AppHost runs from); a project file's path is taken to its folder as well.
    /// </summary>
    public static string AppHostDirectory { get; } = Projects.AppHost.ProjectPath.EndsWith(".csproj", StringComparison.Ordinal)
        ? System.IO.Path.GetDirectoryName(Projects.AppHost.ProjectPath)!
        : Projects.AppHost.ProjectPath;

    public static string AppHostProject => System.IO.Path.Combine(AppHostDirectory, "AppHost.csproj");

    public static string Root { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppHostDirectory, ".."));

    public static string ManifestPath => Path("aspire-manifest.json");

    /// <summary>
    /// A copy of Aspire's manifest schema (from the schema the team keeps in shared/aspire, which mirrors
    /// https://json.schemastore.org/aspire-8.0.json from dotnet/aspire), so the tests need nothing outside the repository.
    /// </summary>
    public static string SchemaPath => Path("tests", "AppHost.Tests", "Schemas", "aspire-manifest.schema.json");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>A project's build output in the tests' own configuration (bin/Debug or bin/Release), as the AppHost runs it.</summary>
    public static string BuiltAssembly(string project)
    {
        var configuration = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
        var assembly = Path(project, "bin", configuration, "net10.0", project + ".dll");
        Assert.True(File.Exists(assembly), $"{assembly} is not built");
        return assembly;
    }

    public static JsonObject Manifest() => (JsonObject)JsonNode.Parse(File.ReadAllText(ManifestPath))!;

    public static JsonObject ManifestResources() => (JsonObject)Manifest()["resources"]!;
}
