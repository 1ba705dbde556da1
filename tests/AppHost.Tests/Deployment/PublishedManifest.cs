using System.Reflection;
using System.Text.Json.Nodes;

namespace AppHost.Tests.Deployment;

/// <summary>
/// The built AppHost published once with Aspire's manifest publisher, as CI and azd run it
/// (<c>dotnet run --project AppHost -- --publisher manifest --output-path …</c>), into a temporary folder, with its own
/// data directory and user-secrets store there, so that a publish that wrote to either would show.
/// </summary>
public sealed class PublishedManifest : IAsyncLifetime
{
    private static readonly string[] s_pathProperties = ["path", "context", "dockerfile", "source"];

    private readonly string _scratch = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "readinessaspire-tests", "publish-" + Guid.NewGuid().ToString("N")[..12]);

    public string OutputPath => System.IO.Path.Combine(_scratch, "out", "aspire-manifest.json");

    /// <summary>The AppHost's <c>AppHost:DataDirectory</c>, where the local servers keep their data.</summary>
    public string DataDirectory => System.IO.Path.Combine(_scratch, "data");

    /// <summary>Where the user-secrets store (generated parameter values) goes: <c>$APPDATA/Microsoft/UserSecrets</c>.</summary>
    public string SecretStore => System.IO.Path.Combine(_scratch, "appdata");

    internal ChildProcessResult Result { get; private set; } = new(-1, "the AppHost was not published");

    /// <summary>The AppHost was built with the tests, in the same configuration.</summary>
    private static string Configuration =>
        typeof(PublishedManifest).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_scratch);
        Result = await ChildProcessResult.RunAsync(
            "dotnet",
            ["run", "--project", RepositoryFiles.AppHostProject, "--no-build", "--configuration", Configuration, "--",
                "--publisher", "manifest", "--output-path", OutputPath],
            RepositoryFiles.Root,
            new Dictionary<string, string?>
            {
                ["AppHost__DataDirectory"] = DataDirectory,
                ["APPDATA"] = SecretStore,
            },
            TimeSpan.FromMinutes(3));
    }

    /// <summary>
    /// The published manifest with its file paths (project paths, build contexts, Dockerfiles, bind mounts), which
    /// the publisher writes relative to the output folder, made relative to the repository root like the committed file's.
    /// </summary>
    public JsonObject ManifestRelativeToRepository()
    {
        var manifest = (JsonObject)JsonNode.Parse(File.ReadAllText(OutputPath))!;
        foreach (var (_, resource) in (JsonObject)manifest["resources"]!)
        {
            Rebase((JsonObject)resource!, System.IO.Path.GetDirectoryName(OutputPath)!);
        }

        return manifest;
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static void Rebase(JsonObject node, string folder)
    {
        foreach (var (key, value) in node.ToList())
        {
            switch (value)
            {
                case JsonObject child when key is not "env":
                    Rebase(child, folder);
                    break;
                case JsonArray items when key is not "args":
                    foreach (var item in items.OfType<JsonObject>())
                    {
                        Rebase(item, folder);
                    }

                    break;
                case JsonValue text when s_pathProperties.Contains(key) && text.TryGetValue<string>(out var relative):
                    node[key] = System.IO.Path.GetRelativePath(RepositoryFiles.Root, System.IO.Path.GetFullPath(relative, folder));
                    break;
            }
        }
    }
}
