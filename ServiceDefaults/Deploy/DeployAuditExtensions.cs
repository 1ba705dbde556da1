using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceDefaults.Deploy.Checks;

namespace ServiceDefaults.Deploy;

public static class DeployAuditExtensions
{
    internal static IServiceCollection AddDeployAudit(this IServiceCollection services)
    {
        services.TryAddSingleton<DeployAudit>();
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<IDeployCheck, EnvironmentCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, AllowedHostsCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, SecretsCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, HttpsCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, CookieCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, DataProtectionCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, ForwardedHeadersCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, ErrorExposureCheck>(),
            ServiceDescriptor.Singleton<IDeployCheck, HealthDetailsCheck>(),
        ]);
        return services;
    }

    /// <summary>
    /// Declares that the service issues no cookie, antiforgery token or other data-protected payload (a file server):
    /// it has no key ring to share or encrypt, so the audit's data-protection checks do not apply to it.
    /// </summary>
    public static IServiceCollection IssuesNoProtectedData(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var check in services.Where(d => d.ServiceType == typeof(IDeployCheck) && d.ImplementationType == typeof(DataProtectionCheck)).ToList())
        {
            services.Remove(check);
        }

        return services;
    }

    /// <summary>Declares settings the service needs from a secret store; the audit checks they are set, strong and not in a file.</summary>
    public static IServiceCollection AddRequiredSecrets(this IServiceCollection services, params RequiredSecret[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);

        foreach (var secret in secrets)
        {
            services.AddSingleton(secret);
        }

        return services;
    }
}
