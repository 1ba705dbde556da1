using System.Text.Json;
using AppHost.Tests.Deployment;

namespace AppHost.Tests;

/// <summary>
/// The image settings the .NET SDK computes for `dotnet publish -t:PublishContainer` (its ComputeContainerConfig
/// target, which needs no engine and no registry). CI builds the images themselves; these machines cannot pull a base.
/// </summary>
public sealed class ContainerSettingsTests
{
    private static readonly string[] s_rootUsers = ["root", "0", "0:0"];

    [Theory]
    // WebApi ReadyToRun on the ASP.NET Core runtime: its packages ship IL only, and the JIT compiling them was half a
    // replica's start. StaticHost Native AOT, on the image with no .NET runtime at all; Backup Native AOT on PostgreSQL's
    // image, for its pg_dump and pg_restore.
    [InlineData("webapi", "readinessaspire/webapi", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", "PublishReadyToRun")]
    [InlineData("static", "readinessaspire/static", "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", "PublishAot")]
    [InlineData("backup", "readinessaspire/backup", "docker.io/library/postgres:18.3", "PublishAot")]
    public async Task Images_are_small_run_as_a_non_root_user_and_listen_where_the_manifest_says(string resource, string repository, string baseImage, string compiledAheadOfTimeBy)
    {
        // The project azd publishes for the manifest's resource, with the SDK's container support.
        var manifest = RepositoryFiles.ManifestResources()[resource]!;
        var project = (string)manifest["path"]!;
        var settings = await ComputeAsync(project);

        Assert.Equal(repository, settings.Property("ContainerRepository"));
        Assert.Equal(baseImage, settings.Property("ContainerBaseImage"));
        var user = settings.Property("ContainerUser");
        Assert.False(string.IsNullOrEmpty(user), "no container user: the image's default would decide");
        Assert.DoesNotContain(user, s_rootUsers);
        Assert.Equal(["8080/tcp"], settings.Items("ContainerPort").Select(p => $"{p.GetProperty("Identity").GetString()}/{p.GetProperty("Type").GetString()}"));
        // The image's one declared port is the manifest's HTTP binding; the management port (8081) stays undeclared, internal.
        Assert.Equal(8080, (int?)manifest["bindings"]!["http"]!["targetPort"]);
        Assert.Contains(settings.Items("ContainerLabel"), l => l.GetProperty("Identity").GetString() == "org.opencontainers.image.title");
        Assert.EndsWith("/bin/container/", settings.Property("ContainerArchiveOutputPath"), StringComparison.Ordinal);
        Assert.Equal("true", settings.Property(compiledAheadOfTimeBy));
    }

    [Fact]
    public async Task Naming_a_registry_pushes_instead_of_writing_a_tarball_so_azd_deploy_still_pushes()
    {
        var settings = await ComputeAsync("WebApi/WebApi.csproj", "-p:ContainerRegistry=example.azurecr.io");

        Assert.Equal(string.Empty, settings.Property("ContainerArchiveOutputPath"));
    }

    private static async Task<ContainerSettings> ComputeAsync(string project, params string[] extra)
    {
        var result = await ChildProcessResult.RunAsync(
            "dotnet",
            ["msbuild", project, "-t:ComputeContainerConfig", "-nologo", .. extra,
                "-getProperty:ContainerRepository", "-getProperty:ContainerBaseImage", "-getProperty:ContainerUser",
                "-getProperty:ContainerArchiveOutputPath", "-getProperty:PublishReadyToRun", "-getProperty:PublishAot", "-getItem:ContainerPort", "-getItem:ContainerLabel"],
            RepositoryFiles.Root);
        Assert.True(result.ExitCode == 0, result.Output);
        var json = result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..];
        return new ContainerSettings(JsonDocument.Parse(json).RootElement.Clone());
    }

    private sealed record ContainerSettings(JsonElement Root)
    {
        public string? Property(string name) => Root.GetProperty("Properties").GetProperty(name).GetString();

        public List<JsonElement> Items(string name) =>
            Root.GetProperty("Items").TryGetProperty(name, out var items) ? [.. items.EnumerateArray()] : [];
    }
}
