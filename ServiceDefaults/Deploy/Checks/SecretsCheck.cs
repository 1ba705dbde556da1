using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDefaults.Deploy.Checks;

/// <summary>Every <see cref="RequiredSecret"/> is set, not read from a settings file, and has a long enough password. Values are never printed.</summary>
internal sealed class SecretsCheck : IDeployCheck
{
    public IEnumerable<DeployFinding> Check(DeployCheckContext context)
    {
        foreach (var secret in context.Services.GetServices<RequiredSecret>())
        {
            var value = context.Configuration[secret.Key];
            var fromSecretStore = $"set {secret.EnvironmentVariable} in the environment from the secret store (an AppHost parameter locally).";
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return new("RA-S001", DeploySeverity.Error, $"Required secret {secret.Key} is not set.", fromSecretStore);
                continue;
            }

            if (ComesFromSettingsFile(context.Configuration, secret.Key) is { } file)
            {
                yield return new("RA-S004", DeploySeverity.Error,
                    $"{secret.Key} is set in {file}, a file that is deployed with the code.", $"remove it from {file} and {fromSecretStore}");
            }

            var password = ConnectionStringPassword.Find(value);
            if (password is null)
            {
                yield return new("RA-S002", DeploySeverity.Error, $"{secret.Key} has no password.", $"add a generated password to {secret.EnvironmentVariable}.");
            }
            else if (password.Length < secret.MinimumPasswordLength)
            {
                yield return new("RA-S003", DeploySeverity.Error,
                    $"The password in {secret.Key} has {password.Length} characters; at least {secret.MinimumPasswordLength} are required.",
                    $"generate a random password of {secret.MinimumPasswordLength}+ characters and {fromSecretStore}");
            }
        }
    }

    private static string? ComesFromSettingsFile(IConfiguration configuration, string key) =>
        (configuration as IConfigurationRoot)?.Providers
            .OfType<JsonConfigurationProvider>()
            .FirstOrDefault(provider => provider.TryGet(key, out var value) && !string.IsNullOrEmpty(value))?
            .Source.Path;
}
