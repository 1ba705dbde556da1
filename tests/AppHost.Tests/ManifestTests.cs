using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AppHost.Tests.Deployment;

namespace AppHost.Tests;

/// <summary>
/// The committed aspire-manifest.json: exactly what Aspire's manifest publisher writes for the AppHost, valid for
/// Aspire's schema, in the forms azd deploys, with the integrations' own resources and free of secrets.
/// </summary>
public sealed partial class ManifestTests(PublishedManifest published) : IClassFixture<PublishedManifest>
{
    /// <summary>Secrets azd generates.</summary>
    private static readonly string[] s_secretParameters = ["cache-password", "postgres-password"];

    /// <summary>Connection strings to services outside the manifest (a real storage account): secrets azd asks for.</summary>
    private static readonly string[] s_connectionStringParameters = ["evidence"];

    /// <summary>Secrets only their owner has (the data-protection certificate): azd asks, nothing is offered or generated.</summary>
    private static readonly string[] s_askedSecretParameters = ["data-protection-certificate", "data-protection-certificate-password"];

    private static readonly string[] s_services = ["static", "webapi"];

    /// <summary>The resources the deployment runs, and nothing else: the monitoring resources are local only.</summary>
    private static readonly string[] s_deployed = ["backup", "cache", "migrator", "postgres", "proxy", "static", "webapi"];

    /// <summary>The resource types azd's AppHost support turns into Container Apps and Bicep (Azure/azure-dev, cli/azd/pkg/apphost/generate.go); anything else stops `azd provision`.</summary>
    private static readonly string[] s_typesAzdDeploys = ["annotated.string", "container.v0", "container.v1", "parameter.v0", "project.v0", "value.v0"];

    [Fact]
    public void The_committed_manifest_is_exactly_what_the_AppHost_publishes()
    {
        Assert.True(published.Result.ExitCode == 0, published.Result.Output);

        var differences = new List<string>();
        Compare(RepositoryFiles.Manifest(), published.ManifestRelativeToRepository(), "$", differences);

        Assert.True(
            differences.Count == 0,
            "aspire-manifest.json is stale: regenerate it with `dotnet run --project AppHost -- --publisher manifest --output-path ../aspire-manifest.json`.\n"
            + string.Join("\n", differences));
    }

    [Fact]
    public void Publishing_starts_no_server_and_touches_no_data_directory_or_secret_store()
    {
        // It exited by itself (the fixture waits a bounded time): a run would keep DCP, the dashboard and the servers up.
        Assert.True(published.Result.ExitCode == 0, published.Result.Output);
        Assert.True(File.Exists(published.OutputPath));
        Assert.Contains("Published manifest to", published.Result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Distributed application started", published.Result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", published.Result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Login to the dashboard", published.Result.Output, StringComparison.Ordinal);

        Assert.False(Directory.Exists(published.DataDirectory), "publish mode created the local servers' data directory");
        Assert.False(Directory.Exists(published.SecretStore), "publish mode wrote to the user-secrets store (generated a password)");
    }

    [Fact]
    public async Task The_manifest_validates_against_Aspires_schema()
    {
        var schema = await AspireManifestSchema.LoadAsync();

        var errors = schema.Validate(File.ReadAllText(RepositoryFiles.ManifestPath));

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [InlineData("container without image")]
    [InlineData("binding over http as its protocol")]
    [InlineData("container.v1 with neither build nor image")]
    [InlineData("parameter without inputs")]
    [InlineData("project without path")]
    public async Task The_schema_check_rejects_a_broken_manifest(string breakage)
    {
        var schema = await AspireManifestSchema.LoadAsync();
        var manifest = RepositoryFiles.Manifest();
        var resources = (JsonObject)manifest["resources"]!;
        Assert.Empty(schema.Validate(manifest.ToJsonString()));

        switch (breakage)
        {
            case "container without image":
                ((JsonObject)resources["postgres"]!).Remove("image");
                break;
            case "binding over http as its protocol":
                resources["webapi"]!["bindings"]!["http"]!["protocol"] = "http";
                break;
            case "container.v1 with neither build nor image":
                ((JsonObject)resources["proxy"]!).Remove("build");
                break;
            case "parameter without inputs":
                ((JsonObject)resources["postgres-password"]!).Remove("inputs");
                break;
            case "project without path":
                ((JsonObject)resources["static"]!).Remove("path");
                break;
        }

        Assert.NotEmpty(schema.Validate(manifest.ToJsonString()));
    }

    [Fact]
    public void Every_secret_reaches_the_manifest_only_as_an_expression()
    {
        var resources = RepositoryFiles.ManifestResources();
        var parameters = resources.Where(r => Type(r.Value) == "parameter.v0").ToDictionary(r => r.Key, r => r.Value!);
        var secrets = parameters.Where(p => (bool?)p.Value["inputs"]!["value"]!["secret"] == true).Select(p => p.Key).Order().ToList();
        Assert.Equal(s_secretParameters.Concat(s_connectionStringParameters).Concat(s_askedSecretParameters).Order(), secrets);

        foreach (var (name, parameter) in parameters)
        {
            Assert.Equal($"{{{name}.inputs.value}}", (string?)parameter["value"]);
            var input = parameter["inputs"]!["value"]!;
            if (s_secretParameters.Contains(name))
            {
                // Generated by azd, or asked for: never a value written here.
                Assert.Null(input["default"]?["value"]);
                Assert.True((int?)input["default"]?["generate"]?["minLength"] >= 22, $"{name} has no generate rule");
            }
            else if (s_connectionStringParameters.Contains(name) || s_askedSecretParameters.Contains(name))
            {
                // Only its owner knows it: azd asks, nothing is offered or generated.
                Assert.Null(input["default"]);
            }
        }

        // Aspire's URI-encoded view of a secret is a filter over the parameter, never a value.
        foreach (var (name, encoded) in resources.Where(r => Type(r.Value) == "annotated.string"))
        {
            Assert.Equal("uri", (string?)encoded!["filter"]);
            Assert.Matches(@"^\{[a-z0-9-]+\.value\}$", (string?)encoded["value"]);
            Assert.Contains(Reference((string)encoded["value"]!), secrets);
        }

        var secretVariables = resources
            .SelectMany(r => (r.Value!["env"] as JsonObject ?? []).Select(e => (Resource: r.Key, Name: e.Key, Value: (string)e.Value!)))
            .Where(e => SecretName().IsMatch(e.Name))
            .ToList();
        Assert.NotEmpty(secretVariables);
        Assert.All(secretVariables, e => Assert.True(
            SecretExpression().IsMatch(e.Value) && secrets.Contains(Reference(e.Value)),
            $"{e.Resource}: {e.Name} is '{e.Value}', not a secret parameter's expression"));

        // Whatever a secret is called, its parameter expression is the only way it appears: in key=value
        // connection strings and in the user-info of URIs.
        var text = File.ReadAllText(RepositoryFiles.ManifestPath);
        Assert.DoesNotMatch(@"(?i)password=(?!\{)", text);
        Assert.DoesNotMatch(@"://[^/@{}""]*:(?!\{)[^/@""]*@", text);
    }

    [Fact]
    public void Plain_parameters_offer_their_published_default_and_secrets_never_do()
    {
        var resources = RepositoryFiles.ManifestResources();

        Assert.Equal("localhost;127.0.0.1", (string?)resources["allowed-hosts"]!["inputs"]!["value"]!["default"]!["value"]);
        Assert.Equal("127.0.0.1/32", (string?)resources["trusted-proxy-networks"]!["inputs"]!["value"]!["default"]!["value"]);
        Assert.All(s_secretParameters, name => Assert.Null(resources[name]!["inputs"]!["value"]!["default"]!["value"]));
        Assert.All(s_connectionStringParameters, name => Assert.Null(resources[name]!["inputs"]!["value"]!["default"]));
    }

    [Fact]
    public void Resources_have_the_forms_azd_deploys()
    {
        var resources = RepositoryFiles.ManifestResources();
        var types = resources.ToDictionary(r => r.Key, r => Type(r.Value));

        Assert.Equal("container.v0", types["postgres"]);
        Assert.Equal("container.v0", types["cache"]);
        Assert.Equal("value.v0", types["readiness"]);
        Assert.Equal("project.v0", types["migrator"]);
        Assert.Equal("project.v0", types["webapi"]);
        Assert.Equal("project.v0", types["static"]);
        Assert.Equal("project.v0", types["backup"]);
        Assert.Equal("container.v1", types["proxy"]);
        Assert.DoesNotContain("executable.v0", types.Values);
        Assert.All(types, t => Assert.True(s_typesAzdDeploys.Contains(t.Value), $"{t.Key} is {t.Value}, which azd does not deploy"));

        // Prometheus and its exporters are the local run's monitoring: excluded from the manifest.
        Assert.Equal(s_deployed, types.Where(t => t.Value is "container.v0" or "container.v1" or "project.v0").Select(t => t.Key).Order());
    }

    [Fact]
    public void PostgreSQL_and_Redis_are_Aspires_official_containers()
    {
        var resources = RepositoryFiles.ManifestResources();
        var postgres = resources["postgres"]!;
        var cache = resources["cache"]!;

        Assert.StartsWith("docker.io/library/postgres:", (string?)postgres["image"], StringComparison.Ordinal);
        Assert.Equal("Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}", (string?)postgres["connectionString"]);
        Assert.Equal("{postgres-password.value}", (string?)postgres["env"]!["POSTGRES_PASSWORD"]);
        Assert.Equal("scram-sha-256", (string?)postgres["env"]!["POSTGRES_HOST_AUTH_METHOD"]);
        Assert.Equal(5432, (int?)postgres["bindings"]!["tcp"]!["targetPort"]);
        // WithDataVolume: one named volume (Aspire names it after the AppHost project and the resource) for the cluster.
        var volume = Assert.Single((JsonArray)postgres["volumes"]!)!;
        Assert.Equal("postgres-data", (string?)volume["name"]);
        Assert.Equal("/var/lib/postgresql", (string?)volume["target"]);
        Assert.False((bool?)volume["readOnly"]);
        Assert.Equal("{postgres.connectionString};Database=readiness", (string?)resources["readiness"]!["connectionString"]);

        Assert.StartsWith("docker.io/library/redis:", (string?)cache["image"], StringComparison.Ordinal);
        Assert.StartsWith("{cache.bindings.tcp.host}:{cache.bindings.tcp.port},password={cache-password.value}", (string?)cache["connectionString"], StringComparison.Ordinal);
        // The password reaches redis-server through the environment, never as a literal on its command line.
        Assert.Equal("/bin/sh", (string?)cache["entrypoint"]);
        Assert.Equal(["-c", "redis-server --requirepass $REDIS_PASSWORD"], ((JsonArray)cache["args"]!).Select(a => (string?)a));
        Assert.Equal("{cache-password.value}", (string?)cache["env"]!["REDIS_PASSWORD"]);
        Assert.Equal(6379, (int?)cache["bindings"]!["tcp"]!["targetPort"]);
        Assert.Null(cache["volumes"]);
    }

    [Fact]
    public void Blob_storage_is_a_connection_string_parameter_that_only_webapi_and_the_backup_worker_reference()
    {
        var resources = RepositoryFiles.ManifestResources();
        var evidence = resources["evidence"]!;

        // Published, Azurite is nowhere: azd asks for a real storage account's connection string.
        Assert.Equal("parameter.v0", Type(evidence));
        Assert.Equal("{evidence.value}", (string?)evidence["connectionString"]);
        Assert.Equal("{evidence.inputs.value}", (string?)evidence["value"]);
        Assert.Equal("string", (string?)evidence["inputs"]!["value"]!["type"]);
        Assert.True((bool?)evidence["inputs"]!["value"]!["secret"]);
        Assert.DoesNotContain("azurite", File.ReadAllText(RepositoryFiles.ManifestPath), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(resources, r => r.Key.StartsWith("evidence-", StringComparison.Ordinal));

        var referencing = resources
            .Where(r => (r.Value!["env"] as JsonObject ?? []).Any(e => ((string?)e.Value)?.Contains("{evidence.", StringComparison.Ordinal) == true))
            .Select(r => r.Key);
        Assert.Equal(["webapi", "backup"], referencing);
        Assert.Equal("{evidence.connectionString}", (string?)resources["webapi"]!["env"]!["ConnectionStrings__evidence"]);
        Assert.Equal("{evidence.connectionString}", (string?)resources["backup"]!["env"]!["ConnectionStrings__evidence"]);
    }

    [Fact]
    public void Only_the_proxy_is_reachable_from_outside()
    {
        var resources = RepositoryFiles.ManifestResources();
        var external = resources
            .SelectMany(r => (r.Value!["bindings"] as JsonObject ?? []).Where(b => (bool?)b.Value!["external"] == true).Select(b => $"{r.Key}.{b.Key}"))
            .ToList();

        // One external endpoint (Container Apps takes no more): its ingress terminates TLS and forwards plain HTTP to 8080.
        Assert.Equal(["proxy.http"], external);
        var http = resources["proxy"]!["bindings"]!["http"]!;
        Assert.Equal("http", (string?)http["scheme"]);
        Assert.Equal(8080, (int?)http["targetPort"]);
        Assert.Equal(8443, (int?)resources["proxy"]!["bindings"]!["https"]!["targetPort"]);
    }

    [Fact]
    public void Projects_get_connection_strings_and_the_host_and_proxy_parameters_as_Aspire_writes_them()
    {
        var resources = RepositoryFiles.ManifestResources();
        var webapi = resources["webapi"]!;
        var env = (JsonObject)webapi["env"]!;

        Assert.Equal("WebApi/WebApi.csproj", (string?)webapi["path"]);
        Assert.Equal("StaticHost/StaticHost.csproj", (string?)resources["static"]!["path"]);
        Assert.Equal("{readiness.connectionString}", (string?)env["ConnectionStrings__readiness"]);
        Assert.Equal("{cache.connectionString}", (string?)env["ConnectionStrings__cache"]);
        Assert.Equal("{evidence.connectionString}", (string?)env["ConnectionStrings__evidence"]);
        Assert.All(s_services, name =>
        {
            var service = (JsonObject)resources[name]!["env"]!;
            Assert.Equal("{allowed-hosts.value}", (string?)service["AllowedHosts"]);
            Assert.Equal("{trusted-proxy-networks.value}", (string?)service["ForwardedHeaders__KnownNetworks"]);
        });

        var migrator = resources["migrator"]!;
        Assert.Equal("WebApi/WebApi.csproj", (string?)migrator["path"]);
        Assert.Equal(["migrate"], ((JsonArray)migrator["args"]!).Select(a => (string?)a));
        Assert.Equal("{readiness.connectionString}", (string?)migrator["env"]!["ConnectionStrings__readiness"]);
        // It makes the key ring's first key, encrypted with the same certificate as the replicas'.
        Assert.Equal("{data-protection-certificate.value}", (string?)migrator["env"]!["DataProtection__Certificate"]);
        Assert.Equal("{data-protection-certificate-password.value}", (string?)migrator["env"]!["DataProtection__CertificatePassword"]);
        // A run-to-completion job: nothing routes to it.
        Assert.Null(migrator["bindings"]);
    }

    [Theory]
    [InlineData("webapi")]
    [InlineData("static")]
    public void Forwarded_headers_are_believed_only_from_the_trusted_proxy_networks(string service)
    {
        var env = (JsonObject)RepositoryFiles.ManifestResources()[service]!["env"]!;

        Assert.Equal("{trusted-proxy-networks.value}", (string?)env["ForwardedHeaders__KnownNetworks"]);
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED would clear the trusted lists and add a second forwarded-headers pass;
        // ServiceDefaults configures the middleware itself and its deploy audit (RA-F001) forbids the variable.
        Assert.False(env.ContainsKey("ASPNETCORE_FORWARDEDHEADERS_ENABLED"), $"{service} gets ASPNETCORE_FORWARDEDHEADERS_ENABLED (the AppHost should call DisableForwardedHeaders())");
    }

    [Theory]
    [InlineData("webapi")]
    [InlineData("static")]
    public void Services_serve_HTTP_on_8080_and_the_management_endpoint_on_8081(string service)
    {
        var resource = RepositoryFiles.ManifestResources()[service]!;
        var bindings = (JsonObject)resource["bindings"]!;
        var env = (JsonObject)resource["env"]!;

        Assert.Equal(["http", "management"], bindings.Select(b => b.Key));
        Assert.All(bindings, b => Assert.Equal("http", (string?)b.Value!["scheme"]));
        Assert.Equal(8080, (int?)bindings["http"]!["targetPort"]);
        Assert.Equal(8081, (int?)bindings["management"]!["targetPort"]);
        // ServiceDefaults serves /metrics and /health/details only on Management:Port...
        Assert.Equal($"{{{service}.bindings.management.targetPort}}", (string?)env["Management__Port"]);
        // ...which Kestrel must listen on too: the container listens on HTTP_PORTS only.
        var ports = ((string?)env["HTTP_PORTS"])?.Split(';') ?? [];
        Assert.Contains($"{{{service}.bindings.http.targetPort}}", ports);
        Assert.True(
            ports.Contains($"{{{service}.bindings.management.targetPort}}"),
            $"{service}: HTTP_PORTS is '{(string?)env["HTTP_PORTS"]}', so nothing listens on the management port 8081");
    }

    [Fact]
    public void Every_variable_the_proxy_templates_use_has_a_value_in_the_proxy_environment()
    {
        var env = (JsonObject)RepositoryFiles.ManifestResources()["proxy"]!["env"]!;
        var used = Directory.EnumerateFiles(RepositoryFiles.Path("Proxy", "templates"), "*.template")
            .SelectMany(f => TemplateVariable().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(env.ContainsKey(name), $"${{{name}}} has no value in the proxy's manifest env"));
        // Each upstream is the service's own HTTP endpoint, as the platform resolves it.
        Assert.All(s_services, name => Assert.StartsWith(
            $"server {{{name}.bindings.http.host}}:{{{name}.bindings.http.port}} ",
            (string?)env[$"UPSTREAM_{name.ToUpperInvariant()}"],
            StringComparison.Ordinal));
    }

    [Fact]
    public void The_deploy_guide_names_every_deployed_resource_and_parameter()
    {
        var guide = File.ReadAllText(RepositoryFiles.Path("docs", "deploy.md"));
        var named = RepositoryFiles.ManifestResources()
            .Where(r => Type(r.Value) is "parameter.v0" or "value.v0" or "container.v0" or "container.v1" or "project.v0")
            .Select(r => r.Key)
            // Aspire's helper for a connection string's optional TLS suffix: not something anyone deploys or sets.
            .Where(name => !name.StartsWith("cond-", StringComparison.Ordinal));

        Assert.All(named, name => Assert.Contains($"`{name}`", guide, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_AppHost_is_marked_for_azd()
    {
        // azd recognises an AppHost by IsAspireHost, which Aspire's AppHost SDK sets.
        var sdk = XDocument.Load(RepositoryFiles.AppHostProject).Root!.Attribute("Sdk")?.Value;
        Assert.StartsWith("Aspire.AppHost.Sdk/", sdk, StringComparison.Ordinal);

        var result = await ChildProcessResult.RunAsync("dotnet", ["msbuild", RepositoryFiles.AppHostProject, "-getProperty:IsAspireHost"], RepositoryFiles.Root);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("true", result.Output.Trim());
    }

    private static string? Type(JsonNode? resource) => (string?)resource?["type"];

    /// <summary>The resource an expression like <c>{name.value}</c> refers to.</summary>
    private static string Reference(string expression) => expression.TrimStart('{').Split('.')[0];

    /// <summary>Reports, by JSON path, where two documents differ, property order included (the file is compared as written).</summary>
    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                var expectedKeys = e.Select(p => p.Key).ToList();
                var actualKeys = a.Select(p => p.Key).ToList();
                if (!expectedKeys.SequenceEqual(actualKeys))
                {
                    differences.Add($"{path}: committed has [{string.Join(", ", expectedKeys)}], published has [{string.Join(", ", actualKeys)}]");
                }

                foreach (var key in expectedKeys.Intersect(actualKeys))
                {
                    Compare(e[key], a[key], $"{path}.{key}", differences);
                }

                break;
            case (JsonArray e, JsonArray a) when e.Count == a.Count:
                for (var i = 0; i < e.Count; i++)
                {
                    Compare(e[i], a[i], $"{path}[{i}]", differences);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    differences.Add($"{path}: committed {expected?.ToJsonString() ?? "null"}, published {actual?.ToJsonString() ?? "null"}");
                }

                break;
        }
    }

    [GeneratedRegex(@"(?i)(password|secret|token)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\{[a-z0-9-]+\.value\}$")]
    private static partial Regex SecretExpression();

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex TemplateVariable();
}
