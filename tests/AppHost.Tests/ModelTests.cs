using ReadinessAspire.Hosting;
using ReadinessAspire.Hosting.ApplicationModel;
using ReadinessAspire.Hosting.Testing;

namespace AppHost.Tests;

/// <summary>The AppHost's model and its parameters, without starting any server.</summary>
public sealed class ModelTests : IDisposable
{
    private readonly string _secretsDirectory = Path.Combine(Path.GetTempPath(), "readinessaspire-tests", Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_generated_secret_is_long_enough_and_the_same_in_the_next_run()
    {
        var first = await ParameterValueAsync("postgres-password");
        var second = await ParameterValueAsync("postgres-password");

        Assert.True(first.Length >= 22, $"only {first.Length} characters");
        Assert.All(first, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.Equal(first, second);
        Assert.NotEqual(first, await ParameterValueAsync("cache-password"));
    }

    [Fact]
    public async Task Parameters_from_configuration_win_over_the_stored_secret()
    {
        var stored = await ParameterValueAsync("cache-password");

        var configured = await ParameterValueAsync("cache-password", "--Parameters:cache-password=ConfiguredOutsideTheStore42");

        Assert.Equal("ConfiguredOutsideTheStore42", configured);
        Assert.Equal(stored, await ParameterValueAsync("cache-password"));
    }

    [Fact]
    public async Task A_missing_server_stops_the_start_with_one_line_naming_what_to_install()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([SecretsFileArgument]);
        builder.Builder.AddResource(new ExecutableResource("legacy", "no-such-server-binary", "/") { Package = "no-such-server" });
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync());

        Assert.Equal("legacy: 'no-such-server-binary' not found; install it: apt-get install -y no-such-server", error.Message);
        Assert.DoesNotContain(app.ResourceNotifications.Snapshot(), r => r.Pids.Count > 0);
    }

    public void Dispose()
    {
        if (Directory.Exists(_secretsDirectory))
        {
            Directory.Delete(_secretsDirectory, recursive: true);
        }
    }

    /// <summary>Every builder of this test keeps its secrets in the same store, as runs of one AppHost do.</summary>
    private string SecretsFileArgument => $"--AppHost:SecretsFile={Path.Combine(_secretsDirectory, "secrets.json")}";

    private async Task<string> ParameterValueAsync(string name, params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([SecretsFileArgument, .. args]);
        return ((ParameterResource)builder.Resources[name]).Value;
    }
}
