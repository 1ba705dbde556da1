namespace Scanner;

/// <summary>Runs every check on a target and grades it.</summary>
public sealed class SiteScanner(ISiteClient client, TimeProvider time)
{
    /// <exception cref="TargetRefusedException">The target is not allowed.</exception>
    /// <exception cref="ScanFailedException">The scan could not grade the target.</exception>
    public Task<ScanReport> ScanAsync(ScanTarget target, CancellationToken cancellationToken) =>
        throw new NotImplementedException($"{client}{time}{target}{cancellationToken}");
}
