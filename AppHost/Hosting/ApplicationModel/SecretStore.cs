using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReadinessAspire.Hosting.ApplicationModel;

/// <summary>
/// Keeps generated parameter values in a JSON file (the AppHost's user-secrets file by default) under
/// <c>Parameters:name</c>, the key Aspire uses, so a database initialised with a password keeps it across runs.
/// </summary>
internal sealed class SecretStore(Func<string> path)
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
    private readonly Lock _gate = new();

    /// <summary>Read at each use, so a test or tool may still change where secrets live after the builder exists.</summary>
    public string Path => path();

    public string GetOrGenerate(string parameterName, GenerateParameterDefault generate)
    {
        lock (_gate)
        {
            var secrets = Read();
            if (secrets[Key(parameterName)]?.GetValue<string>() is { Length: > 0 } existing)
            {
                return existing;
            }

            var value = Generate(generate);
            secrets[Key(parameterName)] = value;
            Write(secrets);
            return value;
        }
    }

    /// <summary>Letters and digits only, so the value needs no escaping in connection strings or config files.</summary>
    internal static string Generate(GenerateParameterDefault generate) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", Math.Max(22, generate.MinLength));

    private static string Key(string parameterName) => $"Parameters:{parameterName}";

    private JsonObject Read() =>
        File.Exists(Path) && JsonNode.Parse(File.ReadAllText(Path)) is JsonObject existing ? existing : [];

    private void Write(JsonObject secrets)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, secrets.ToJsonString(s_indented));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, Path, overwrite: true);
    }
}
