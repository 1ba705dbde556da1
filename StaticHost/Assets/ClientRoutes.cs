using System.Text.Json;
using System.Text.Json.Serialization;

namespace StaticHost.Assets;

/// <summary>
/// The paths the client app has pages at (<c>/services/{id}</c>, ...), from ClientApp/src/routes.json: the same file
/// the app's router reads, embedded in this assembly at build time. A reload or a deep link to one of them gets
/// index.html with 200; any other path a browser navigates to gets index.html with 404, which the app shows as its
/// "page not found".
/// </summary>
internal static class ClientRoutes
{
    public const string ResourceName = "client-routes.json";

    /// <summary>The route templates, e.g. <c>/services/{id}/scans/{scanId}</c>, in the syntax of ASP.NET Core's routing.</summary>
    public static IReadOnlyList<string> Load()
    {
        using var stream = typeof(ClientRoutes).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} (ClientApp/src/routes.json) is missing.");
        var routes = JsonSerializer.Deserialize(stream, ClientRoutesJson.Default.DictionaryStringString)
            ?? throw new InvalidOperationException($"{ResourceName} is not a JSON object of route names and paths.");
        return [.. routes.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}

/// <summary>Read without reflection, so that StaticHost compiles ahead of time (Native AOT).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ClientRoutesJson : JsonSerializerContext;
