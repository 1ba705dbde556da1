using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;

namespace WebApi.Http;

/// <summary>
/// A response body together with the strong entity tag of its content, cached side by side.
/// Marked immutable so HybridCache may hand the same instance to concurrent requests instead of a copy each: nothing modifies it.
/// </summary>
[ImmutableObject(true)]
public sealed record ETagged<T>(T Content, string ETag);

public static class ContentETag
{
    /// <summary>Pairs <paramref name="content"/> with <see cref="Compute{T}"/> of it.</summary>
    public static ETagged<T> Attach<T>(T content) => new(content, Compute(content));

    /// <summary>
    /// A strong entity tag (quoted, RFC 9110) from the SHA-256 of the content's JSON form: equal content gives
    /// an equal tag on every replica and across restarts, and any change to the content changes it.
    /// </summary>
    public static string Compute<T>(T content)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(content, JsonSerializerOptions.Web);
        return $"\"{Convert.ToHexStringLower(SHA256.HashData(json))}\"";
    }
}
