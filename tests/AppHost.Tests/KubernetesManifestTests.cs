using System.Text.Json.Nodes;
using System.Xml.Linq;
using AppHost.Tests.Deployment;
using YamlDotNet.RepresentationModel;

namespace AppHost.Tests;

/// <summary>
/// docs/kubernetes is written by hand from the model: it must parse, and every resource of aspire-manifest.json must
/// be there with the same image, ports, environment variable names and volumes.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] DeployedTypes = ["container.v0", "container.v1", "project.v0", "dockerfile.v0"];

    private static string Folder => RepositoryFiles.Path("docs", "kubernetes");

    [Fact]
    public void Every_file_is_valid_YAML_and_listed_in_the_kustomization()
    {
        var files = Directory.EnumerateFiles(Folder, "*.yaml").Select(Path.GetFileName).ToList();
        var kustomization = Load("kustomization.yaml").Single();
        var listed = ((YamlSequenceNode)kustomization.Children["resources"]).Select(n => n.ToString()).ToList();

        Assert.All(files, file => Assert.NotEmpty(Load(file!)));
        Assert.Equal(files.Where(f => f != "kustomization.yaml").Order(), listed.Order());
        Assert.All(Documents(), d => Assert.True(d.Children.ContainsKey("kind") && d.Children.ContainsKey("metadata"), "a document without kind or metadata"));
    }

    [Fact]
    public void Every_deployed_resource_has_a_workload_with_the_manifests_image_ports_environment_and_volumes()
    {
        var workloads = Workloads();
        foreach (var (name, node) in RepositoryFiles.ManifestResources().Where(r => DeployedTypes.Contains((string?)r.Value!["type"])))
        {
            var resource = (JsonObject)node!;
            Assert.True(workloads.TryGetValue(name, out var container), $"no workload named {name} in docs/kubernetes");

            Assert.Equal(ExpectedImage(name, resource), ImageRepository(Scalar(container, "image")));

            var env = Sequence(container, "env").Select(e => Scalar(e, "name")).ToHashSet();
            foreach (var variable in (resource["env"] as JsonObject ?? []).Select(e => e.Key))
            {
                Assert.True(env.Contains(variable), $"{name}: {variable} is in the manifest but not in docs/kubernetes");
            }

            var ports = Sequence(container, "ports").Select(p => int.Parse(Scalar(p, "containerPort"), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            foreach (var (binding, value) in resource["bindings"] as JsonObject ?? [])
            {
                // A project binding without a target port is the ASP.NET Core image's 8080, which azd assumes too.
                var port = (int?)value!["targetPort"] ?? 8080;
                Assert.True(ports.Contains(port), $"{name}: binding {binding} listens on {port}, which the workload does not expose");
            }

            var mounts = Sequence(container, "volumeMounts").Select(m => (Scalar(m, "name"), Scalar(m, "mountPath"))).ToHashSet();
            foreach (var volume in resource["volumes"] as JsonArray ?? [])
            {
                Assert.Contains(((string)volume!["name"]!, (string)volume["target"]!), mounts);
            }

            if (resource["args"] is JsonArray args)
            {
                Assert.Equal(args.Select(a => (string)a!), Scalars(container, "args"));
            }

            if ((string?)resource["entrypoint"] is { } entrypoint)
            {
                Assert.Equal([entrypoint], Scalars(container, "command"));
            }
        }
    }

    [Fact]
    public void Only_the_proxy_is_exposed_outside_the_cluster()
    {
        var exposed = Documents()
            .Where(d => Scalar(d, "kind") == "Service" && d.Children.TryGetValue("spec", out var spec) && ((YamlMappingNode)spec).Children.TryGetValue("type", out var type) && type.ToString() is "LoadBalancer" or "NodePort")
            .Select(d => Scalar((YamlMappingNode)d.Children["metadata"], "name"));

        Assert.Equal(["proxy"], exposed);
    }

    [Fact]
    public void No_secret_value_is_written_in_the_Kubernetes_files()
    {
        var secretVariables = Workloads().Values
            .SelectMany(c => Sequence(c, "env"))
            .Where(e => Scalar(e, "name").Contains("PASSWORD", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(secretVariables);
        Assert.All(secretVariables, e => Assert.True(e.Children.ContainsKey("valueFrom"), $"{Scalar(e, "name")} has a literal value"));
        Assert.DoesNotContain(Documents(), d => Scalar(d, "kind") == "Secret");
    }

    [Fact]
    public void Every_secret_the_manifest_passes_comes_from_the_secret_key_named_after_its_parameter()
    {
        var resources = RepositoryFiles.ManifestResources();
        var secrets = resources
            .Where(r => (string?)r.Value!["type"] == "parameter.v0" && (bool?)r.Value["inputs"]!["value"]!["secret"] == true)
            .Select(r => r.Key)
            .ToHashSet();
        var workloads = Workloads();
        var passed = 0;
        foreach (var (name, node) in resources.Where(r => DeployedTypes.Contains((string?)r.Value!["type"])))
        {
            foreach (var (variable, value) in node!["env"] as JsonObject ?? [])
            {
                // {postgres-password.value}, or {evidence.connectionString} of a connection-string parameter: the
                // parameter itself, which the cluster keeps in readiness-secrets under its name.
                if ((string?)value is not ['{', .. var expression, '}'] || SecretParameter(expression) is not { } parameter || !secrets.Contains(parameter))
                {
                    continue;
                }

                var entry = Sequence(workloads[name], "env").Single(e => Scalar(e, "name") == variable);
                var reference = Mapping(Mapping(entry, "valueFrom"), "secretKeyRef");
                Assert.Equal("readiness-secrets", Scalar(reference, "name"));
                Assert.Equal(parameter, Scalar(reference, "key"));
                passed++;
            }
        }

        Assert.True(passed >= secrets.Count, "the manifest passes no secret to any workload");
    }

    /// <summary>The parameter an expression passes whole: <c>{name.value}</c> or <c>{name.connectionString}</c>.</summary>
    private static string? SecretParameter(string expression) =>
        expression.EndsWith(".value", StringComparison.Ordinal) ? expression[..^".value".Length]
        : expression.EndsWith(".connectionString", StringComparison.Ordinal) ? expression[..^".connectionString".Length]
        : null;

    /// <summary>Containers by workload name (Deployment, StatefulSet, Job): each workload here has one.</summary>
    private static Dictionary<string, YamlMappingNode> Workloads() => Documents()
        .Where(d => Scalar(d, "kind") is "Deployment" or "StatefulSet" or "Job")
        .ToDictionary(
            d => Scalar((YamlMappingNode)d.Children["metadata"], "name"),
            d => (YamlMappingNode)Sequence(Mapping(Mapping(Mapping(d, "spec"), "template"), "spec"), "containers").Single());

    private static string ExpectedImage(string name, JsonObject resource) => ((string)resource["type"]!, (string?)resource["image"]) switch
    {
        ("container.v0" or "container.v1", { } image) => ImageRepository(image),
        // The SDK names project images from ContainerRepository; an image built from a Dockerfile is named after its resource.
        ("project.v0", _) => XDocument.Load(RepositoryFiles.Path((string)resource["path"]!)).Descendants("ContainerRepository").Single().Value,
        _ => $"readinessaspire/{name}",
    };

    /// <summary>The image without its tag, which kustomize sets at deploy time for the images CI builds.</summary>
    private static string ImageRepository(string image) =>
        image.LastIndexOf(':') is var colon and > 0 && !image[colon..].Contains('/', StringComparison.Ordinal) ? image[..colon] : image;

    private static IEnumerable<YamlMappingNode> Documents() =>
        Directory.EnumerateFiles(Folder, "*.yaml").Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)).SelectMany(f => Load(Path.GetFileName(f)));

    private static List<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Folder, file)));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[key];

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlSequenceNode)value).Cast<YamlMappingNode>() : [];

    private static List<string> Scalars(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? [.. ((YamlSequenceNode)value).Select(n => n.ToString())] : [];

    private static string Scalar(YamlMappingNode node, string key) => node.Children[key].ToString();
}
