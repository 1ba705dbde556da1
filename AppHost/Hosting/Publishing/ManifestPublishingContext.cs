using System.Text.Json;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>
/// What every resource writer shares: the JSON writer, the manifest's folder (paths in the manifest are relative to
/// it) and the pieces Aspire writes the same way for every resource type: env, args, bindings, volumes.
/// </summary>
internal sealed class ManifestPublishingContext(DistributedApplicationExecutionContext executionContext, string manifestPath, Utf8JsonWriter writer)
{
    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    public Utf8JsonWriter Writer { get; } = writer;

    public string ManifestDirectory { get; } = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;

    /// <summary>A path relative to the manifest's folder, with forward slashes, so the file is the same on every clone.</summary>
    public string GetManifestRelativePath(string path) => Path.GetRelativePath(ManifestDirectory, path).Replace('\\', '/');

    /// <summary>
    /// Runs the resource's environment callbacks in publish mode and writes what they produced, after any
    /// <paramref name="defaults"/> (which the callbacks may override). Values become manifest expressions, never
    /// resolved values, so no secret can reach the file.
    /// </summary>
    public async Task WriteEnvironmentAsync(IResource resource, IEnumerable<KeyValuePair<string, string>>? defaults = null)
    {
        var context = new EnvironmentCallbackContext(ExecutionContext, instance: null);
        foreach (var (key, value) in defaults ?? [])
        {
            context.EnvironmentVariables[key] = value;
        }

        foreach (var callback in resource.OfAnnotation<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        if (context.EnvironmentVariables.Count == 0)
        {
            return;
        }

        Writer.WriteStartObject("env");
        foreach (var (key, value) in context.EnvironmentVariables)
        {
            Writer.WriteString(key, ToManifestValue(value, $"{resource.Name}: environment variable {key}"));
        }

        Writer.WriteEndObject();
    }

    public void WriteArgs(IResource resource)
    {
        var args = resource.OfAnnotation<CommandLineArgsAnnotation>().SelectMany(a => a.Args).ToList();
        if (args.Count == 0)
        {
            return;
        }

        Writer.WriteStartArray("args");
        foreach (var arg in args)
        {
            Writer.WriteStringValue(ToManifestValue(arg, $"{resource.Name}: argument"));
        }

        Writer.WriteEndArray();
    }

    /// <summary>
    /// Aspire's binding rules: a target port only where the model names one (azd picks the port of a project's
    /// default endpoint), an exposed port only where it differs from the target port, external only when asked.
    /// </summary>
    public void WriteBindings(IEnumerable<EndpointAnnotation> endpoints)
    {
        var list = endpoints.ToList();
        if (list.Count == 0)
        {
            return;
        }

        Writer.WriteStartObject("bindings");
        foreach (var endpoint in list)
        {
            Writer.WriteStartObject(endpoint.Name);
            Writer.WriteString("scheme", endpoint.Scheme);
            Writer.WriteString("protocol", "tcp");
            Writer.WriteString("transport", endpoint.Transport);
            if (endpoint.Port is { } port && port != endpoint.TargetPort)
            {
                Writer.WriteNumber("port", port);
            }

            if (endpoint.TargetPort is { } targetPort)
            {
                Writer.WriteNumber("targetPort", targetPort);
            }

            if (endpoint.IsExternal)
            {
                Writer.WriteBoolean("external", true);
            }

            Writer.WriteEndObject();
        }

        Writer.WriteEndObject();
    }

    public void WriteVolumes(IResource resource)
    {
        var volumes = resource.OfAnnotation<DataVolumeAnnotation>().ToList();
        if (volumes.Count == 0)
        {
            return;
        }

        Writer.WriteStartArray("volumes");
        foreach (var volume in volumes)
        {
            Writer.WriteStartObject();
            Writer.WriteString("name", volume.Name);
            Writer.WriteString("target", volume.Target);
            Writer.WriteBoolean("readOnly", volume.IsReadOnly);
            Writer.WriteEndObject();
        }

        Writer.WriteEndArray();
    }

    public void WriteConnectionString(IResourceWithConnectionString resource) =>
        Writer.WriteString("connectionString", resource.ConnectionStringExpression.ValueExpression);

    /// <summary>Text stays text; anything known only at deploy time becomes its expression. A bare run-time value cannot be published.</summary>
    internal static string ToManifestValue(object value, string what) => value switch
    {
        string text => text,
        IManifestExpressionProvider expression => expression.ValueExpression,
        _ => throw new DistributedApplicationException($"{what} is a {value.GetType().Name}, which has no manifest expression: it can only be resolved at run time."),
    };
}
