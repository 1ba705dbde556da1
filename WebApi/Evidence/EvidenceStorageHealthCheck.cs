using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WebApi.Evidence;

public sealed class EvidenceStorageHealthCheck(EvidenceStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await storage.IsReachableAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
#pragma warning disable CA1031 // Any failure of the storage is the check's answer, not the app's crash.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Blob storage unreachable ({exception.GetType().Name}).");
        }
    }
}
