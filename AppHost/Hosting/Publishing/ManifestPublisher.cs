using System.Text.Encodings.Web;
using System.Text.Json;
using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>
/// <c>--publisher manifest --output-path F</c>: writes Aspire's deployment manifest (the file azd reads) and starts nothing.
/// </summary>
internal static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";

    // Two-space indent and "\n" on every platform, so the committed file is byte-identical wherever it is regenerated.
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Expressions such as "{a.value}" and nginx lines stay readable; the file is JSON for tools, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task PublishAsync(DistributedApplicationBuilder builder, PublishOptions options, CancellationToken cancellationToken)
    {
        if (options.Publisher != "manifest")
        {
            throw new DistributedApplicationException($"Unknown publisher '{options.Publisher}': the only one is 'manifest'.");
        }

        var manifestPath = ResolveOutputPath(builder.AppHostDirectory, options.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(manifestPath)!);

        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            var context = new ManifestPublishingContext(builder.ExecutionContext, manifestPath, writer);
            await WriteManifestAsync(builder.Resources, context);
        }

        buffer.WriteByte((byte)'\n');
        await File.WriteAllBytesAsync(manifestPath, buffer.ToArray(), cancellationToken);
        await Console.Out.WriteLineAsync($"Published manifest to: {manifestPath}");
    }

    /// <summary>
    /// A relative output path starts at the AppHost project, like every relative path in the model, so
    /// <c>dotnet run --project AppHost -- --output-path ../aspire-manifest.json</c> lands at the repository root
    /// wherever it is run from.
    /// </summary>
    internal static string ResolveOutputPath(string appHostDirectory, string outputPath) =>
        Path.GetFullPath(outputPath, appHostDirectory);

    private static async Task WriteManifestAsync(DistributedApplicationModel model, ManifestPublishingContext context)
    {
        var writer = context.Writer;
        writer.WriteStartObject();
        writer.WriteString("$schema", SchemaUrl);
        writer.WriteStartObject("resources");
        // Tools that serve only the local run (monitoring) are marked ExcludeFromManifest and never deployed.
        foreach (var resource in model.Where(r => r.Annotation<ExcludeFromManifestAnnotation>() is null))
        {
            writer.WriteStartObject(resource.Name);
            await ResourceManifestWriter.WriteAsync(resource, context);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
