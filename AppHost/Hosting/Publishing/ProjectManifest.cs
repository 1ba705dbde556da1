using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>
/// <c>project.v0</c>: azd builds the project into an image with the .NET SDK's container support and deploys it.
/// The environment starts with what Aspire gives every project.
/// </summary>
internal static class ProjectManifest
{
    public static async Task WriteAsync(ProjectResource project, ManifestPublishingContext context)
    {
        context.Writer.WriteString("type", "project.v0");
        context.Writer.WriteString("path", context.GetManifestRelativePath(project.Metadata.ProjectPath));
        context.WriteArgs(project);
        await context.WriteEnvironmentAsync(project, AspireDefaults(project));
        context.WriteBindings(project.OfAnnotation<EndpointAnnotation>());
    }

    private static IEnumerable<KeyValuePair<string, string>> AspireDefaults(ProjectResource project)
    {
        // Logs carry exception and event attributes, and OTLP retries in memory when the collector is briefly away.
        yield return new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "true");
        yield return new("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "true");
        yield return new("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory");

        var endpoints = project.OfAnnotation<EndpointAnnotation>().ToList();
        if (endpoints.Count == 0)
        {
            yield break;
        }

        // Forwarded headers are trusted only from the networks the model names (ForwardedHeaders__KnownNetworks), never
        // from anyone, so ASPNETCORE_FORWARDEDHEADERS_ENABLED is deliberately not set.
        foreach (var (variable, scheme) in new[] { ("HTTP_PORTS", "http"), ("HTTPS_PORTS", "https") })
        {
            var ports = endpoints.Where(e => e.Scheme == scheme).Select(e => $"{{{project.Name}.bindings.{e.Name}.targetPort}}").ToList();
            if (ports.Count > 0)
            {
                yield return new(variable, string.Join(';', ports));
            }
        }

        // The port ServiceDefaults keeps /metrics and /health/details on; without it a deployed replica serves neither.
        if (endpoints.Any(e => e.Name == ProjectResourceBuilderExtensions.ManagementEndpointName))
        {
            yield return new("Management__Port", $"{{{project.Name}.bindings.{ProjectResourceBuilderExtensions.ManagementEndpointName}.targetPort}}");
        }
    }
}
