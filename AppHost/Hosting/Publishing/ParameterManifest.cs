using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Publishing;

/// <summary>
/// <c>parameter.v0</c>: azd prompts for the value, or generates it when the parameter says how. A secret never has a
/// default value in the manifest; at most the rule to generate one.
/// </summary>
internal static class ParameterManifest
{
    public static void Write(ParameterResource parameter, ManifestPublishingContext context)
    {
        var writer = context.Writer;
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.Default is { } generate)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            // The same length the local secret store generates, and no special characters: the value goes into
            // connection strings and command lines unescaped.
            writer.WriteNumber("minLength", Math.Max(22, generate.MinLength));
            if (!generate.Special)
            {
                writer.WriteBoolean("special", false);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else if (parameter.PublishedDefault is { } value && !parameter.Secret)
        {
            writer.WriteStartObject("default");
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
