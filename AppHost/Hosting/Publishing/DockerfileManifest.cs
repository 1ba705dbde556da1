using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>
/// <c>dockerfile.v0</c>: the proxy is built from its folder's Dockerfile, which renders the same templates the local
/// run renders. Its environment is every template variable, as the resource gives them in publish mode.
/// </summary>
internal static class DockerfileManifest
{
    public static async Task WriteAsync(NginxResource nginx, ManifestPublishingContext context)
    {
        context.Writer.WriteString("type", "dockerfile.v0");
        context.Writer.WriteString("path", context.GetManifestRelativePath(Path.Combine(nginx.ContextPath, "Dockerfile")));
        context.Writer.WriteString("context", context.GetManifestRelativePath(nginx.ContextPath));
        await context.WriteEnvironmentAsync(nginx);
        // The status endpoint listens on the container's loopback only (for an exporter beside nginx): no other
        // resource can reach it, so it is no binding.
        context.WriteBindings(nginx.OfAnnotation<EndpointAnnotation>().Where(e => e.Name != NginxBuilderExtensions.StatusEndpointName));
    }
}
