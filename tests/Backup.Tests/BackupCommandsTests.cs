using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ReadinessAspire.Testing;

namespace Backup.Tests;

public sealed class BackupCommandsTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddBackups();
        using var host = builder.Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BackupCommands.RunAsync(host.Services, args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("restor", "readiness-20261201T030000000Z.dump")]
    [InlineData("lst")]
    [InlineData("restore")]
    public async Task A_mistyped_command_gets_the_usage_and_exit_2_not_the_worker(params string[] args)
    {
        Assert.True(BackupCommands.IsRequested(args), "the worker would start instead");
        var (exitCode, _, error) = await RunAsync(args, []);
        Assert.Equal(2, exitCode);
        Assert.StartsWith("Usage: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_arguments_or_options_only_start_the_worker()
    {
        Assert.False(BackupCommands.IsRequested([]));
        Assert.False(BackupCommands.IsRequested(["--urls", "http://127.0.0.1:0"]));
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_is_one_line_and_exit_1()
    {
        // A loopback port nothing listens on: every attempt is refused, and the SDK's retries give up.
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var (exitCode, output, error) = await RunAsync(["list"], new()
        {
            ["ConnectionStrings:evidence"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1:{FreeLoopbackPorts.One()}/devstoreaccount1",
            ["ConnectionStrings:readiness"] = "Host=127.0.0.1;Database=readiness",
        });
        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Matches("^The backup store could not be used: [^\n]*refused[^\n]*\n$", error);
    }
}
