namespace ReadinessAspire.Hosting.Publishing;

internal static class ManifestPublisher
{
    public static Task PublishAsync(DistributedApplicationBuilder builder, PublishOptions options, CancellationToken cancellationToken)
    {
        _ = builder;
        _ = cancellationToken;
        throw new DistributedApplicationException($"The '{options.Publisher}' publisher is not implemented yet.");
    }
}
