using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Orchestration;

namespace ReadinessAspire.Hosting.Resources;

internal static class RunnerFactory
{
    /// <summary>The runner for a resource, or null for resources that are only values (parameters).</summary>
    public static ResourceRunner? Create(IResource resource, RunnerContext context) => resource switch
    {
        ProjectResource project => new ProjectRunner(project, context),
        PostgresServerResource postgres => new PostgresServerRunner(postgres, context),
        PostgresDatabaseResource database => new PostgresDatabaseRunner(database, context),
        RedisResource redis => new RedisRunner(redis, context),
        NginxResource nginx => new NginxRunner(nginx, context),
        PrometheusResource prometheus => new PrometheusRunner(prometheus, context),
        ExecutableResource executable => new ExecutableRunner(executable, context),
        _ => null,
    };
}

internal static class EnvironmentResolver
{
    /// <summary>Runs the resource's environment callbacks for one replica and resolves every value to text.</summary>
    public static async Task<Dictionary<string, string>> ResolveAsync(IResource resource, DistributedApplicationExecutionContext executionContext, ResourceInstanceInfo instance, CancellationToken cancellationToken)
    {
        var context = new EnvironmentCallbackContext(executionContext, instance);
        foreach (var callback in resource.OfAnnotation<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.EnvironmentVariables)
        {
            resolved[key] = value switch
            {
                string text => text,
                IValueProvider provider => await provider.GetValueAsync(cancellationToken) ?? string.Empty,
                _ => value.ToString() ?? string.Empty,
            };
        }

        return resolved;
    }

    public static async Task<List<string>> ResolveArgsAsync(IResource resource, CancellationToken cancellationToken)
    {
        var args = new List<string>();
        foreach (var arg in resource.OfAnnotation<CommandLineArgsAnnotation>().SelectMany(a => a.Args))
        {
            args.Add(arg is IValueProvider provider ? await provider.GetValueAsync(cancellationToken) ?? string.Empty : arg.ToString() ?? string.Empty);
        }

        return args;
    }
}

internal static class HealthProbes
{
    public static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<bool> HttpAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public static async Task<bool> TcpAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
        return true;
    }
}
