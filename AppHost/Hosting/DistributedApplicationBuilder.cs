using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Testing;

namespace ReadinessAspire.Hosting;

public sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly WebApplicationBuilder _host;

    internal DistributedApplicationBuilder(string[] args, Assembly appHostAssembly, Action<DistributedApplicationBuilder>? configure = null)
    {
        var publish = PublishOptions.Parse(args);
        ExecutionContext = new DistributedApplicationExecutionContext(publish is null ? DistributedApplicationOperation.Run : DistributedApplicationOperation.Publish);
        PublishOptions = publish;

        _host = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = publish is null ? args : [],
            ApplicationName = appHostAssembly.GetName().Name,
        });
        AppHostDirectory = appHostAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "AppHostProjectPath")?.Value
            ?? _host.Environment.ContentRootPath;

        configure?.Invoke(this);
        Options = Configuration.GetSection("AppHost").Get<DistributedApplicationOptions>() ?? new DistributedApplicationOptions();
        Options.DataDirectory = System.IO.Path.GetFullPath(Options.DataDirectory ?? DataDirectories.Default(AppHostDirectory));
        Options.SecretsFile ??= DefaultSecretsFile(appHostAssembly) ?? System.IO.Path.Combine(Options.DataDirectory, "secrets.json");
        Secrets = new SecretStore(() => Options.SecretsFile);
    }

    public ConfigurationManager Configuration => _host.Configuration;

    public IHostEnvironment Environment => _host.Environment;

    public IServiceCollection Services => _host.Services;

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    public DistributedApplicationModel Resources { get; } = [];

    public string AppHostDirectory { get; }

    public DistributedApplicationOptions Options { get; }

    internal PublishOptions? PublishOptions { get; }

    internal SecretStore Secrets { get; }

    public IResourceBuilder<T> AddResource<T>(T resource)
        where T : IResource
    {
        if (Resources.Any(r => r.Name.Equals(resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"Cannot add resource '{resource.Name}': a resource with that name already exists.");
        }

        Resources.Add(resource);
        return CreateResourceBuilder(resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource)
        where T : IResource => new ResourceBuilder<T>(this, resource);

    public DistributedApplication Build()
    {
        // A test that started this AppHost's entry point takes the builder here and builds it itself.
        TestingInterception.OnBuilding(this);
        return new DistributedApplication(this, _host);
    }

    private static string? DefaultSecretsFile(Assembly appHostAssembly)
    {
        var id = appHostAssembly.GetCustomAttribute<UserSecretsIdAttribute>()?.UserSecretsId;
        return id is null || TestingInterception.IsActive ? null : PathHelper.GetSecretsPathFromSecretsId(id);
    }
}

/// <summary><c>--publisher manifest --output-path F</c>, the switches azd passes.</summary>
internal sealed record PublishOptions(string Publisher, string OutputPath)
{
    public static PublishOptions? Parse(string[] args)
    {
        string? publisher = null;
        string? output = null;
        for (var i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--publisher":
                    publisher = args[++i];
                    break;
                case "--output-path":
                    output = args[++i];
                    break;
            }
        }

        return publisher is null ? null : new PublishOptions(publisher, output ?? "aspire-manifest.json");
    }
}

internal static class DataDirectories
{
    /// <summary>
    /// One directory per AppHost, outside the repository. As root it sits under /var/lib so the unprivileged
    /// PostgreSQL user can reach its data directory (root's home is closed to it).
    /// </summary>
    public static string Default(string appHostDirectory)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(appHostDirectory)))[..10];
        var name = $"{new DirectoryInfo(appHostDirectory).Name.ToLowerInvariant()}-{hash}";
        if (System.Environment.UserName == "root")
        {
            return System.IO.Path.Combine("/var/lib/readinessaspire", name);
        }

        var dataHome = System.Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".local", "share");
        return System.IO.Path.Combine(dataHome, "readinessaspire", name);
    }
}
